// `down`: removes the lab in a state folder, or whatever part of it exists, found from the folder alone
// when state.json is gone (namespace names follow from the folder): the recorded processes, anything
// else running in the lab's namespaces, the namespaces (and with them every link, bridge and nftables
// rule), and the folder, but only a folder that `up` marked as a lab's (marker.ts). Safe to run any
// number of times.
import { readdirSync, rmdirSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { refusalToRemove } from './marker.js'
import { deleteNamespace, namespaceExists } from '../testbed/netns.js'
import { existingNamespaces } from './network.js'
import { defaultStateDir, repoRoot } from './paths.js'
import { readState, withLock, type LabState } from './state.js'
import { run, sleep, stopAll, waitGone } from '../testbed/sys.js'
import { labIdFor } from './topology.js'
import { removeLabRouterFiles } from './router.js'

export interface DownReport {
  readonly namespaces: readonly string[]
  readonly processes: number
  readonly ms: number
}

/** Removes the lab in `stateDir` (or whatever part of it exists); safe to run any number of times. */
export const labDown = async (stateDir: string = defaultStateDir()): Promise<DownReport> => {
  const dir = resolve(stateDir)
  // Refused before the lock file is made beside the folder, so a refusal leaves nothing behind.
  const refusal = refusalToRemove(dir)
  if (refusal !== undefined) throw new Error(refusal)
  const report = await withLock(dir, () => teardown(dir))
  removeEmptyDefaultParent(dir)
  return report
}

// The default folder's parent (.lab) goes too when nothing else is in it (the lock file is gone by now).
export const removeEmptyDefaultParent = (stateDir: string): void => {
  const parent = dirname(stateDir)
  try {
    if (parent === join(repoRoot, '.lab') && readdirSync(parent).length === 0) rmdirSync(parent)
  } catch {
    // Someone else's file appeared, or it is gone already: leave it.
  }
}

export const teardown = async (stateDir: string): Promise<DownReport> => {
  const refusal = refusalToRemove(stateDir)
  if (refusal !== undefined) throw new Error(refusal)
  const started = Date.now()
  const id = labIdFor(stateDir)
  let state: LabState | undefined
  try {
    state = readState(stateDir)
  } catch {
    state = undefined // unreadable: the namespace names still follow from the folder
  }
  const refs = (state?.procs ?? []).flatMap((p) => (p.ref === undefined ? [] : [p.ref]))
  // Recorded processes first, politely but briefly; the lab's data is thrown away anyway.
  let killed = (await waitGone(refs, 0)).length
  await stopAll(refs, 3_000)
  const namespaces = [...new Set([...(state?.namespaces ?? []), ...existingNamespaces(id)])].filter(namespaceExists)
  // Then anything else running in the lab's namespaces (a user's `on node1 tcpdump`, a process whose
  // record was lost): deleting a namespace does not end its processes.
  for (const ns of namespaces) {
    const pids = (await run(['ip', 'netns', 'pids', ns])).stdout.split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0)
    for (const pid of pids.filter((p) => p !== process.pid && p !== process.ppid))
      try {
        process.kill(pid, 'SIGKILL')
        killed++
      } catch {
        // Gone already.
      }
    const deadline = Date.now() + 5_000
    while ((await run(['ip', 'netns', 'pids', ns])).stdout.trim() !== '' && Date.now() < deadline) await sleep(50)
  }
  for (const ns of namespaces) deleteNamespace(ns)
  const left = existingNamespaces(id).filter(namespaceExists)
  if (left.length > 0) throw new Error(`namespaces still there after down: ${left.join(', ')}`)
  removeLabRouterFiles(state, id)
  rmSync(stateDir, { recursive: true, force: true })
  return { namespaces, processes: killed, ms: Date.now() - started }
}
