// The lab's long-lived processes as records in state.json: start one (recorded before it runs), check
// one, stop one. A record holds the argv, so `heal`, `start-speaker` and `apiserver start` restart
// exactly what `up` started. Speakers get a verdict after a short wait, because the `speaker` command
// may not exist yet in this checkout: the lab then comes up and reports it as unavailable.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { writeState, type LabState, type ProcRecord } from './state.js'
import { isAlive, launch, signal, stopAll, tailFile, waitGone } from '../testbed/sys.js'
import { namespaceOf } from './topology.js'

/** What lab processes inherit: a fixed, small environment (no KUBECONFIG or proxy settings leak in). */
const childEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
  HOME: process.env['HOME'] ?? '/root',
  LANG: 'C.UTF-8',
})

export const procNamed = (state: LabState, name: string): ProcRecord | undefined => state.procs.find((p) => p.name === name)

export const procAlive = (p: ProcRecord): boolean => p.ref !== undefined && isAlive(p.ref)

interface ProcSpec {
  readonly name: string
  readonly host: string
  readonly argv: readonly string[]
  readonly log: string
}

/** The record of `name`, made (not started) when there is none. */
export const recordProc = (state: LabState, spec: ProcSpec, wanted: ProcRecord['wanted']): ProcRecord => {
  const found = procNamed(state, spec.name)
  if (found !== undefined) return found
  const rec: ProcRecord = { name: spec.name, host: spec.host, argv: spec.argv, log: spec.log, ref: undefined, wanted }
  state.procs.push(rec)
  writeState(state)
  return rec
}

/** Records (or re-uses the record of) `name` and starts it; the record is saved before and after. */
export const startProc = async (state: LabState, spec: ProcSpec): Promise<ProcRecord> => {
  const rec = recordProc(state, spec, 'running')
  if (procAlive(rec)) return rec
  rec.wanted = 'running'
  delete rec.note
  writeState(state)
  mkdirSync(dirname(rec.log), { recursive: true })
  rec.ref = await launch(namespaceOf(state.id, rec.host), rec.argv, rec.log, childEnv())
  writeState(state)
  return rec
}

const UNKNOWN_COMMAND = /unknown command/i

/**
 * The speaker's verdict a moment after start: alive (running), gone with "unknown command" (the
 * subcommand is not written yet: unavailable), or gone otherwise (crashed: note says why).
 */
export const judgeSpeaker = (rec: ProcRecord): 'running' | 'unavailable' | 'crashed' => {
  if (procAlive(rec)) return 'running'
  const tail = tailFile(rec.log, 20)
  if (UNKNOWN_COMMAND.test(tail)) {
    rec.wanted = 'unavailable'
    rec.note = 'this checkout has no `ironlb speaker` command yet'
    return 'unavailable'
  }
  rec.note = `exited at start: ${tail.split('\n').slice(-3).join(' | ')}`
  return 'crashed'
}

/** SIGTERM (a rolling update: the process may say goodbye), SIGKILL after `graceMs`. */
export const stopProc = async (state: LabState, rec: ProcRecord, wanted: 'stopped' | 'killed', graceMs: number): Promise<void> => {
  rec.wanted = wanted
  writeState(state)
  if (rec.ref === undefined) return
  if (wanted === 'killed') {
    signal(rec.ref, 'SIGKILL')
    await waitGone([rec.ref], 5_000)
  } else await stopAll([rec.ref], graceMs)
}
