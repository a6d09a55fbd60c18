// The low-cost detector (--memberlist-probe-interval=1s --memberlist-thread=main) on real UDP: with its
// timeouts paced to the 1 s period (core/membership/config.ts pacedConfig), a main thread that keeps
// stalling longer than a big reconcile pass (74-108 ms at 3,000 Services), half of the time, is never
// suspected. The control, the same 1 s period with the default's 30/80 ms probe timeouts, is suspected.
import t from 'tap'
import { performance } from 'node:perf_hooks'
import { pacedConfig, type MembershipConfig } from '../../../core/membership/config.js'
import { type Node, sleep, startCluster, stopAll } from './support/cluster.js'

t.setTimeout(120_000)

const STALL_MS = 150
const EVERY_MS = 300
const WINDOW_MS = 20_000

const stall = (ms: number): void => {
  const end = performance.now() + ms
  while (performance.now() < end) {
    /* busy: a pass on the speaker's main thread */
  }
}

/** node-0 on the main thread, stalled STALL_MS every EVERY_MS for WINDOW_MS; its observers on workers. */
const suspicionsOfBusy = async (config: Partial<MembershipConfig>): Promise<{ suspected: number; dead: number }> => {
  const nodes = await startCluster({ n: 3, threadFor: (i) => (i === 0 ? 'main' : 'worker'), config })
  try {
    await sleep(2_500)
    const [busy, ...observers] = nodes as [Node, ...Node[]]
    const seen = observers.map((x) => x.events.length)
    const end = performance.now() + WINDOW_MS
    for (let i = 0; i < WINDOW_MS / EVERY_MS && performance.now() < end; i++) {
      stall(STALL_MS)
      await sleep(EVERY_MS - STALL_MS)
    }
    await sleep(500)
    const about = observers.flatMap((x, i) => x.events.slice(seen[i]).filter((e) => e.event === 'member' && e.node === busy.name))
    const count = (status: string): number => about.filter((e) => e.event === 'member' && e.status === status).length
    return { suspected: count('Suspect'), dead: count('Dead') }
  } finally {
    await stopAll(nodes)
  }
}

t.test('1 s probes with paced timeouts: a main thread stalling 150 ms every 300 ms is never suspected', async (t) => {
  const r = await suspicionsOfBusy(pacedConfig(1_000))
  t.comment(`paced: ${r.suspected} suspicions, ${r.dead} deaths in ${WINDOW_MS / 1000} s`)
  t.equal(r.suspected, 0, 'no suspicion')
  t.equal(r.dead, 0, 'no death')
})

t.test('control: 1 s probes with the default 30/80 ms probe timeouts get the same node suspected', async (t) => {
  const r = await suspicionsOfBusy({ probeIntervalMs: 1_000 })
  t.comment(`unpaced: ${r.suspected} suspicions, ${r.dead} deaths in ${WINDOW_MS / 1000} s`)
  t.ok(r.suspected > 0, 'suspected at least once')
})
