// Running programs for the lab: one bounded command (every call has a timeout and a SIGKILL behind it),
// and long-lived processes started detached inside a namespace, known afterwards by pid *and* start
// time, so a later `ironlb-lab` invocation never signals a recycled pid. Nothing here decides what runs.
import { execFile, spawn } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'

export interface RunResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly timeoutMs?: number
  readonly stdin?: string
  readonly env?: NodeJS.ProcessEnv
}

const DEFAULT_TIMEOUT_MS = 20_000

export const run = (argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> =>
  new Promise((resolve) => {
    const [cmd, ...args] = argv
    const child = execFile(
      cmd ?? 'false',
      args,
      { timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 32 << 20, env: opts.env ?? process.env },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null
        const why = err !== null && code === null ? `${stderr}${stderr === '' ? '' : '\n'}(${err.killed ? 'timed out' : err.message})` : stderr
        resolve({ code, stdout, stderr: why })
      },
    )
    child.stdin?.on('error', () => undefined) // a command that exits before reading its input
    child.stdin?.end(opts.stdin ?? '')
  })

export const mustRun = async (argv: readonly string[], opts: RunOptions = {}): Promise<string> => {
  const r = await run(argv, opts)
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code ?? 'no exit code'}): ${r.stderr.trim()}`)
  return r.stdout
}

/** `ip netns exec <ns> argv...` */
export const inNs = (ns: string, argv: readonly string[]): string[] => ['ip', 'netns', 'exec', ns, ...argv]

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e))

// ---- processes that outlive the command that started them ------------------------------------------

export interface ProcRef {
  readonly pid: number
  /** Field 22 of /proc/<pid>/stat: clock ticks since boot. With the pid it names one process for good. */
  readonly startTime: string
}

/** The start time of a live (non-zombie) process, or undefined. */
const procStartTime = (pid: number): string | undefined => {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The command name is in parentheses and may hold spaces or parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  if (fields[0] === 'Z' || fields[0] === 'X') return undefined
  return fields[19]
}

export const isAlive = (ref: ProcRef): boolean => procStartTime(ref.pid) === ref.startTime

/** Sends a signal only when the pid still names the process we started; true when sent. */
export const signal = (ref: ProcRef, sig: NodeJS.Signals): boolean => {
  if (!isAlive(ref)) return false
  try {
    process.kill(ref.pid, sig)
    return true
  } catch {
    return false
  }
}

/** Waits (bounded) until none of `refs` is alive; returns those still alive. */
export const waitGone = async (refs: readonly ProcRef[], timeoutMs: number): Promise<ProcRef[]> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const alive = refs.filter(isAlive)
    if (alive.length === 0 || Date.now() >= deadline) return alive
    await sleep(50)
  }
}

/** SIGTERM, then SIGKILL for whatever is still alive after `graceMs`; bounded in total. */
export const stopAll = async (refs: readonly ProcRef[], graceMs: number): Promise<ProcRef[]> => {
  for (const r of refs) signal(r, 'SIGTERM')
  const left = await waitGone(refs, graceMs)
  for (const r of left) signal(r, 'SIGKILL')
  return waitGone(left, 5_000)
}

/**
 * Starts argv inside `ns`, detached (its own session: a terminal's Ctrl-C does not reach it, and it
 * outlives this process), stdout and stderr appended to `logPath`. `ip netns exec` execs the command,
 * so the pid is the command's own.
 */
export const launch = async (ns: string, argv: readonly string[], logPath: string, env: NodeJS.ProcessEnv): Promise<ProcRef> => {
  const fd = openSync(logPath, 'a')
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { detached: true, stdio: ['ignore', fd, fd], env })
  closeSync(fd)
  child.unref()
  const pid = child.pid
  if (pid === undefined) {
    const err = await new Promise<Error>((r) => child.once('error', r))
    throw new Error(`cannot start ${argv.join(' ')} in ${ns}: ${err.message}`)
  }
  // The start time is there as soon as the pid exists; a process that died at once has none.
  const startTime = procStartTime(pid)
  if (startTime === undefined) throw new Error(`${argv[0] ?? '?'} in ${ns} exited at once; last lines of its log:\n${tailFile(logPath, 12)}`)
  return { pid, startTime }
}

export const tailFile = (path: string, lines: number): string => {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}
