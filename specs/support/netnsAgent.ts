// The spec side of netnsResponderMain.ts: starts it inside a lab namespace, reads its JSON-line
// events, and waits for the ones a spec expects (each wait bounded in time). A spec run from source
// (`npx tap specs/x.netns.spec.ts`) starts its agents from source under tap's TypeScript loader; one
// run from dist/ (`make unit`) starts their compiled twins, which load in a tenth of the CPU (a BGP
// speaker agent: 0.5 s instead of 4.5 s on a quiet core, and the BFD worker thread it starts likewise).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import type { Lab } from './netns.js'

export type AgentEvent = Record<string, unknown> & { readonly event: string }

const SCRIPT = fileURLToPath(new URL('./netnsResponderMain.ts', import.meta.url))

/** The flags that let a child node run TypeScript: tap's loader import, nothing else of tap's. */
export const tsNodeArgs = (): string[] => {
  const loaders = process.execArgv.filter((a) => /^--(import|loader|require)=.*typescript/.test(a))
  if (loaders.length === 0) throw new Error('no TypeScript loader in execArgv: run the netns specs under tap')
  return [...loaders, '--enable-source-maps']
}

/**
 * The node arguments that run `script`, named by its .ts path (`new URL('./xMain.ts', import.meta.url)`):
 * from dist/ that path does not exist and its compiled .js twin runs without a loader.
 */
export const scriptArgs = (script: string): string[] => {
  const js = script.replace(/\.ts$/, '.js')
  return script.endsWith('.ts') && !existsSync(script) && existsSync(js) ? ['--enable-source-maps', js] : [...tsNodeArgs(), script]
}

export interface Agent {
  readonly events: AgentEvent[]
  waitFor(pred: (e: AgentEvent) => boolean, what: string, timeoutMs?: number): Promise<AgentEvent>
  command(cmd: Record<string, unknown>): void
  stderr(): string
}

/** Starts `script` (by default the ARP/NDP responder) inside `ns`, speaking JSON lines. */
export const startAgent = (lab: Lab, ns: string, args: readonly string[], script: string = SCRIPT): Agent => {
  const env = { ...process.env }
  delete env['NODE_OPTIONS']
  const child = lab.spawn(ns, [process.execPath, ...scriptArgs(script), ...args], env)
  const events: AgentEvent[] = []
  const waiters = new Set<() => void>()
  let err = ''
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString()
  })
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      events.push(JSON.parse(line) as AgentEvent)
    } catch {
      events.push({ event: 'unparsed', line })
    }
    for (const w of waiters) w()
  })
  child.once('exit', () => {
    for (const w of waiters) w()
  })
  // 60 s by default: an agent starts under tap's TypeScript loader, which took 15 s and more at load 15.
  const waitFor = (pred: (e: AgentEvent) => boolean, what: string, timeoutMs = 60_000): Promise<AgentEvent> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = events.find(pred)
        if (hit !== undefined) {
          done()
          resolve(hit)
          return true
        }
        if (child.exitCode !== null || child.signalCode !== null) {
          done()
          reject(new Error(`agent exited (${child.exitCode ?? child.signalCode}) before ${what}; stderr: ${err.slice(-2000)}; events: ${JSON.stringify(events.slice(-5))}`))
          return true
        }
        return false
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${err.slice(-2000)}; events: ${JSON.stringify(events.slice(-5))}`))
      }, timeoutMs)
      const listener = (): void => {
        check()
      }
      const done = (): void => {
        clearTimeout(timer)
        waiters.delete(listener)
      }
      if (!check()) waiters.add(listener)
    })
  return {
    events,
    waitFor,
    command: (cmd) => {
      child.stdin?.write(`${JSON.stringify(cmd)}\n`)
    },
    stderr: () => err,
  }
}
