// Real UDP on loopback: detection latency of a killed member, graceful leave, wrong keys, replays,
// and why the detector runs on a worker thread.
import t from 'tap'
import { createSocket } from 'node:dgram'
import { performance } from 'node:perf_hooks'
import { appendTag, encodeSigned } from '../../../core/membership/codec.js'
import type { Incarnation } from '../../../core/membership/member.js'
import type { Message } from '../../../core/membership/message.js'
import type { NodeName } from '../../../core/model/names.js'
import { sign } from '../../../shell/membership/auth.js'
import { startMembership } from '../../../shell/membership/membership.js'
import type { MembershipEvent } from '../../../shell/membership/options.js'
import { KEY, type Node, lostAt, sleep, startCluster, stopAll, waitFor } from './support/cluster.js'

t.setTimeout(120_000)
const everyoneSees = (nodes: readonly Node[], size: number): boolean => nodes.every((x) => x.handle.alive().size === size)

const withCluster = async (
  n: number,
  thread: 'main' | 'worker' | ((i: number) => 'main' | 'worker'),
  body: (nodes: readonly Node[]) => Promise<void>,
  keyFor?: (i: number) => Buffer,
) => {
  const threadFor = typeof thread === 'function' ? thread : () => thread
  const nodes = await startCluster({ n, threadFor, ...(keyFor ? { keyFor } : {}) })
  try {
    await body(nodes)
  } finally {
    await stopAll(nodes)
  }
}

// Workers start slowly under the specs' TypeScript loader, so the worker variant runs one trial.
for (const [thread, n, trials] of [['main', 4, 5], ['worker', 3, 1]] as const) {
  t.test(`${thread} thread: a killed member is detected by every survivor`, async (t) => {
    const latencies: number[] = []
    for (let trial = 0; trial < trials; trial++) {
      await withCluster(n, thread, async (nodes) => {
        await sleep(600)
        t.ok(everyoneSees(nodes, n), `all ${n} alive after warm-up (no false suspicion)`)
        const victim = nodes[(trial % (n - 1)) + 1] as Node
        const killedAt = performance.now()
        await victim.handle.stop() // no Leave: the socket just goes away
        const rest = nodes.filter((x) => x !== victim)
        const done = await waitFor(() => rest.every((x) => !x.handle.alive().has(victim.name)), 3_000)
        t.ok(done !== undefined, 'every survivor dropped it')
        const worst = Math.max(...rest.map((x) => (lostAt(x, victim.name, killedAt) ?? Infinity) - killedAt))
        latencies.push(worst)
      })
    }
    t.comment(`detection by the last survivor (ms): ${latencies.map((x) => x.toFixed(0)).join(' ')}`)
    t.ok(latencies.every((x) => x < 1_500), 'each within 1.5 s')
  })
}

t.test('graceful leave is seen at once', async (t) => {
  await withCluster(4, 'main', async (nodes) => {
    await sleep(400)
    const leaver = nodes[2] as Node
    const at = performance.now()
    await leaver.handle.leave()
    const rest = nodes.filter((x) => x !== leaver)
    await waitFor(() => rest.every((x) => !x.handle.alive().has(leaver.name)), 1_000)
    const worst = Math.max(...rest.map((x) => (lostAt(x, leaver.name, at) ?? Infinity) - at))
    t.comment(`leave seen by all after ${worst.toFixed(1)} ms`)
    t.ok(worst < 100, 'within 100 ms')
    t.ok(rest.every((x) => x.events.some((e: MembershipEvent) => e.event === 'member' && e.node === leaver.name && e.status === 'Left')), 'as Left, not Dead')
  })
})

t.test('a member with the wrong key is ignored, and a forged Leave changes nothing', async (t) => {
  const wrong = Buffer.from('ffffffffffffffffffffffffffffffff')
  await withCluster(4, 'main', async (nodes) => {
    const [a, b, , d] = nodes as [Node, Node, Node, Node]
    const ok = await waitFor(() => nodes.slice(0, 3).every((x) => !x.handle.alive().has(d.name)), 3_000)
    t.ok(ok !== undefined, 'the members with the right key drop the one with the wrong key')
    t.ok(a.handle.stats().authFailures > 0, 'its messages fail authentication')
    t.ok(d.handle.stats().authFailures > 0, 'and it cannot read ours')

    // A stranger on the LAN forges "b is leaving" to a, signed with a key it guessed.
    const forged: Message = { header: { sender: b.name as NodeName, incarnation: 99 as Incarnation, epoch: Date.now() + 1e6, seq: 1 }, body: { _tag: 'Leave' } }
    const signed = encodeSigned(forged)
    const sock = createSocket('udp4')
    try {
      const before = a.handle.stats().authFailures
      await new Promise<void>((res, rej) => sock.send(appendTag(signed, sign(wrong, signed)), a.handle.port, '127.0.0.1', (e) => (e ? rej(e) : res())))
      await waitFor(() => a.handle.stats().authFailures > before, 1_000)
      await sleep(100)
      t.ok(a.handle.alive().has(b.name), 'b is still alive at a')
      t.ok(a.handle.stats().authFailures > before, 'the forgery was counted')
      // Correctly signed but from an older epoch than b's own: a replay from b's past life.
      const old: Message = { header: { ...forged.header, incarnation: 0 as Incarnation, epoch: 1 }, body: { _tag: 'Leave' } }
      const s2 = encodeSigned(old)
      await new Promise<void>((res, rej) => sock.send(appendTag(s2, sign(KEY, s2)), a.handle.port, '127.0.0.1', (e) => (e ? rej(e) : res())))
      const seen = await waitFor(() => (a.handle.stats().dropped.StaleEpoch ?? 0) > 0, 1_000)
      t.ok(seen !== undefined, 'the replay was dropped as StaleEpoch')
      t.ok(a.handle.alive().has(b.name), 'b is still alive at a')
    } finally {
      sock.close()
    }
  }, (i) => (i === 3 ? wrong : KEY))
})

// The control case shows the property is real: the same stall on the main thread does kill it.
const blockMainThread = (ms: number): void => {
  const end = performance.now() + ms
  while (performance.now() < end) {
    /* busy: a long synchronous job in the speaker */
  }
}

t.test('a busy main thread does not make a worker-thread detector look dead (and does on the main thread)', async (t) => {
  for (const thread of ['worker', 'main'] as const) {
    // node-0 runs on the thread under test; its observers always run on workers, so they keep
    // going while this (the main) thread is blocked.
    await withCluster(2, (i) => (i === 0 ? thread : 'worker'), async (nodes) => {
      await sleep(500)
      const [busy, ...observers] = nodes as [Node, ...Node[]]
      const at = performance.now()
      blockMainThread(1_500)
      await sleep(300)
      const killed = observers.some((x) => lostAt(x, busy.name, at) !== undefined)
      if (thread === 'worker') t.notOk(killed, 'worker: nobody declared it dead during a 1.5 s main-thread stall')
      else t.ok(killed, 'control, main thread: the same stall gets it declared dead')
      const back = await waitFor(() => observers.every((x) => x.handle.alive().has(busy.name)), 2_000)
      t.ok(back !== undefined, 'and it is alive again everywhere afterwards')
    })
  }
})

t.test('options are checked at the edge', async (t) => {
  const base = { self: 'node-0', bindAddress: '127.0.0.1', port: 0, key: KEY, members: [], thread: 'main' as const, onChange: () => {} }
  await t.rejects(startMembership({ ...base, key: Buffer.alloc(8) }), /key shorter/, 'a short key')
  await t.rejects(startMembership({ ...base, key: Buffer.alloc(0) }), /key shorter/, 'an empty key')
  await t.rejects(startMembership({ ...base, keyGraceMs: -1 }), /keyGraceMs/, 'a negative grace')
  await t.rejects(startMembership({ ...base, members: [{ name: 'Not_A_Node', host: '127.0.0.1' }] }), /not a node name/, 'a bad member name')
  await t.rejects(startMembership({ ...base, members: [{ name: 'ok', host: '127.0.0.1', port: 70000 }] }), /bad port/, 'a bad port')
})
