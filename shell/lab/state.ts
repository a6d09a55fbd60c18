// What a lab remembers between `ironlb-lab` invocations: one JSON file in the state folder, written
// whole (write to a temporary name, then rename) after every change, and a lock file beside the folder
// so two invocations never change the lab at once. Records are written *before* the thing they record
// is made (a namespace, a process), so an interrupted `up` leaves enough behind for `down`.
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { RouterKind } from '../testbed/router.js'
import { isAlive, sleep, type ProcRef } from '../testbed/sys.js'

/** What a process should be doing: `up` and `heal` restart only `running` ones that died. */
export type ProcWanted = 'running' | 'stopped' | 'killed' | 'unavailable'

export interface ProcRecord {
  readonly name: string
  readonly host: string
  readonly argv: readonly string[]
  readonly log: string
  ref: ProcRef | undefined
  wanted: ProcWanted
  /** Why it is not running when it should be (e.g. the speaker command does not exist yet). */
  note?: string
}

export interface LabState {
  readonly version: 1
  readonly id: string
  readonly stateDir: string
  readonly nodeCount: number
  /** Namespaces named (and perhaps made) so far. */
  readonly namespaces: string[]
  procs: ProcRecord[]
  /** `up` finished: everything below exists. */
  complete: boolean
  readonly createdAt: string
  /** Hosts whose LAN link `fail` cut. */
  failed: string[]
  /** Extra LAN segments made by `partition`, each a list of hosts. */
  partition: string[][]
  /** Packet loss per host, in per cent, set by `netem`. */
  loss: Record<string, number>
  apiServerUrl: string
  /** The admin kubeconfig (reachable from inside the lab's namespaces only). */
  adminKubeconfig: string
  k8sBinDir: string
  /** `up --router`: the router's kind and the folder of its config (shell/lab/router.ts). */
  router?: { readonly kind: RouterKind; readonly dir: string }
}

const stateFile = (dir: string): string => join(dir, 'state.json')

export const readState = (dir: string): LabState | undefined => {
  const file = stateFile(dir)
  if (!existsSync(file)) return undefined
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as LabState
  if (parsed.version !== 1) throw new Error(`${file}: unknown state version ${String(parsed.version)}`)
  return parsed
}

export const writeState = (state: LabState): void => {
  mkdirSync(state.stateDir, { recursive: true })
  const file = stateFile(state.stateDir)
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  renameSync(`${file}.tmp`, file)
}

// ---- the lock -------------------------------------------------------------------------------------------

const lockFile = (dir: string): string => `${dir}.lock`

const LOCK_WAIT_MS = 120_000

/**
 * Runs `fn` holding `<stateDir>.lock` (our pid and start time inside). A lock whose holder is
 * gone is taken over; a live holder is waited for, bounded.
 */
export const withLock = async <T>(dir: string, fn: () => Promise<T>): Promise<T> => {
  mkdirSync(dirname(dir), { recursive: true })
  const file = lockFile(dir)
  const me = readFileSync('/proc/self/stat', 'utf8')
  const myStart = me.slice(me.lastIndexOf(')') + 2).split(' ')[19] ?? ''
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    // Written whole under a private name, then hard-linked: the lock never exists half-written.
    const mine = `${file}.${process.pid}`
    writeFileSync(mine, `${process.pid} ${myStart}\n`, { mode: 0o600 })
    try {
      linkSync(mine, file)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const [pid, startTime] = readLock(file)
      if (pid === undefined || !isAlive({ pid, startTime: startTime ?? '' })) {
        rmSync(file, { force: true })
        continue
      }
      if (pid === process.pid) throw new Error(`${file}: already held by this process (nested lab operation)`)
      if (Date.now() >= deadline) throw new Error(`${file}: held by pid ${pid} for over ${LOCK_WAIT_MS / 1000} s`)
      await sleep(200)
    } finally {
      rmSync(mine, { force: true })
    }
  }
  try {
    return await fn()
  } finally {
    rmSync(file, { force: true })
  }
}

const readLock = (file: string): [number | undefined, string | undefined] => {
  try {
    const [pid, start] = readFileSync(file, 'utf8').trim().split(' ')
    const n = Number(pid)
    return [Number.isInteger(n) && n > 0 ? n : undefined, start]
  } catch {
    return [undefined, undefined]
  }
}
