// The low-cost detector (--memberlist-probe-interval=1s --memberlist-thread=main) on real UDP: with its
// timeouts paced to the 1 s period (core/membership/config.ts pacedConfig), a main thread that keeps
// stalling longer than a big reconcile pass (74-108 ms at 3,000 Services), half of the time, is never
// suspected. The control, the same 1 s period with the default's 30/80 ms probe timeouts, is suspected.
import t from 'tap'
import { performance } from 'node:perf_hooks'
import { pacedConfig, type MembershipConfig } from '../../../core/membership/config.js'
import { type Node, sleep, startCluster, stopAll } from './support/cluster.js'

t.setTimeout(180_000)

const STALL_MS = 150
const EVERY_MS = 300
const WINDOW_MS = 20_000

const stall = (ms: number): void => {
  const end = performance.now() + ms
  while (performance.now() < end) {
    /* busy: a pass on the speaker's main thread */
  }
}

type Counts = { suspected: number; dead: number }

/**
 * One cluster per config, each with node-0 on this process's main thread and its observers on workers, so
 * that one stall loop (STALL_MS every EVERY_MS for WINDOW_MS) stalls every cluster's node-0 at once: the
 * variants share the window and the machine's load.
 */
const suspicionsOfBusy = async (configs: readonly Partial<MembershipConfig>[]): Promise<Counts[]> => {
  const clusters: (readonly Node[])[] = []
  try {
    for (const config of configs) clusters.push(await startCluster({ n: 3, threadFor: (i) => (i === 0 ? 'main' : 'worker'), config }))
    await sleep(2_500)
    const seen = clusters.map((nodes) => nodes.map((x) => x.events.length))
    const end = performance.now() + WINDOW_MS
    for (let i = 0; i < WINDOW_MS / EVERY_MS && performance.now() < end; i++) {
      stall(STALL_MS)
      await sleep(EVERY_MS - STALL_MS)
    }
    await sleep(500)
    return clusters.map(([busy, ...observers], c) => {
      const about = observers.flatMap((x, i) => x.events.slice(seen[c]?.[i + 1]).filter((e) => e.event === 'member' && e.node === busy?.name))
      const count = (status: string): number => about.filter((e) => e.event === 'member' && e.status === status).length
      return { suspected: count('Suspect'), dead: count('Dead') }
    })
  } finally {
    for (const nodes of clusters) await stopAll(nodes)
  }
}

/** A second window only when the control saw nothing in the first (once, in make test under load, 2026-12-04). */
const WINDOWS = 2

t.test('1 s probes, one stalling main thread: paced timeouts never suspect it, the default 30/80 ms ones do', async (t) => {
  const total = { paced: { suspected: 0, dead: 0 }, unpaced: { suspected: 0, dead: 0 } }
  for (let w = 1; w <= WINDOWS && total.unpaced.suspected === 0; w++) {
    const [paced, unpaced] = await suspicionsOfBusy([pacedConfig(1_000), { probeIntervalMs: 1_000 }])
    if (paced === undefined || unpaced === undefined) throw new Error('two clusters asked, fewer measured')
    t.comment(`window ${w}, the same ${WINDOW_MS / 1000} s for both: paced ${paced.suspected} suspicions, ${paced.dead} deaths; unpaced ${unpaced.suspected} suspicions, ${unpaced.dead} deaths`)
    for (const k of ['suspected', 'dead'] as const) {
      total.paced[k] += paced[k]
      total.unpaced[k] += unpaced[k]
    }
  }
  t.equal(total.paced.suspected, 0, 'paced: no suspicion in any window')
  t.equal(total.paced.dead, 0, 'paced: no death in any window')
  t.ok(total.unpaced.suspected > 0, `control, unpaced: suspected at least once (in at most ${WINDOWS} windows)`)
})
