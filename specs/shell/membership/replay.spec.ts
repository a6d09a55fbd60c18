// Replay at first contact with real datagrams (real UDP on loopback): b's traffic to a passes through
// a small relay that records every datagram. b leaves (its Leave is recorded), starts again, and then
// a restarts too; the whole recording, b's Leave from its previous run included, is sent to the fresh
// a, at once and again every 20 ms for half a second. a must never drop b from its live set.
import t from 'tap'
import { createSocket, type Socket } from 'node:dgram'
import { type MembershipHandle, startMembership } from '../../../shell/membership/membership.js'
import type { MemberSpec } from '../../../shell/membership/options.js'
import { decode } from '../../../core/membership/codec.js'
import * as E from 'fp-ts/lib/Either.js'
import { KEY, sleep, waitFor } from './support/cluster.js'

t.setTimeout(60_000)

interface Watched {
  readonly handle: MembershipHandle
  /** Live sets reported after the universe was set. */
  readonly seen: Array<ReadonlySet<string>>
}

const start = async (name: string, universe: (self: number) => MemberSpec[]): Promise<Watched> => {
  const seen: Array<ReadonlySet<string>> = []
  let ready = false
  const handle = await startMembership({
    self: name,
    bindAddress: '127.0.0.1',
    port: 0,
    key: KEY,
    members: [],
    thread: 'main',
    onChange: (alive) => {
      if (ready) seen.push(alive)
    },
  })
  try {
    handle.setMembers(universe(handle.port))
  } catch (err) {
    await handle.stop()
    throw err
  }
  ready = true
  return { handle, seen }
}

const bind = (s: Socket): Promise<number> => new Promise((res) => s.bind(0, '127.0.0.1', () => res(s.address().port)))

t.test("a fresh speaker never drops a live member on replayed datagrams from that member's previous run", async (t) => {
  const relay = createSocket('udp4')
  const replayer = createSocket('udp4')
  const recorded: Buffer[] = []
  let aPort = 0
  const running: MembershipHandle[] = []
  try {
    const relayPort = await bind(relay)
    await bind(replayer)
    relay.on('message', (msg) => {
      recorded.push(Buffer.from(msg))
      relay.send(msg, aPort, '127.0.0.1')
    })
    // b reaches a through the relay; a reaches b directly.
    const bUniverse = (self: number): MemberSpec[] => [{ name: 'a', host: '127.0.0.1', port: relayPort }, { name: 'b', host: '127.0.0.1', port: self }]
    const b1 = await start('b', bUniverse)
    running.push(b1.handle)
    const a1 = await start('a', (self) => [{ name: 'a', host: '127.0.0.1', port: self }, { name: 'b', host: '127.0.0.1', port: b1.handle.port }])
    aPort = a1.handle.port
    running.push(a1.handle)
    t.ok((await waitFor(() => a1.handle.alive().has('b') && b1.handle.alive().has('a'), 2_000)) !== undefined, 'a and b see each other')
    await sleep(300)
    await b1.handle.leave()
    t.ok((await waitFor(() => !a1.handle.alive().has('b'), 1_000)) !== undefined, 'a saw b leave')

    const b2 = await start('b', bUniverse)
    running.push(b2.handle)
    a1.handle.setMembers([{ name: 'a', host: '127.0.0.1', port: aPort }, { name: 'b', host: '127.0.0.1', port: b2.handle.port }])
    t.ok((await waitFor(() => a1.handle.alive().has('b'), 2_000)) !== undefined, "b's second run is seen alive")
    await sleep(300)

    const leaves = recorded.filter((d) => {
      const r = decode(d, 0)
      return E.isRight(r) && r.right.value.packet.message.body._tag === 'Leave'
    })
    t.ok(leaves.length >= 1, `the recording holds ${recorded.length} datagrams from b, ${leaves.length} of them Leave`)

    await a1.handle.stop()
    const a2 = await start('a', (self) => [{ name: 'a', host: '127.0.0.1', port: self }, { name: 'b', host: '127.0.0.1', port: b2.handle.port }])
    running.push(a2.handle)
    aPort = a2.handle.port
    const replay = (): void => {
      for (const d of recorded) replayer.send(d, aPort, '127.0.0.1')
    }
    replay()
    for (let i = 0; i < 25; i++) {
      await sleep(20)
      replay()
    }
    await sleep(500)
    const without = a2.seen.filter((alive) => !alive.has('b'))
    t.same(without.map((s) => [...s].join(',')), [], 'the fresh a never reported a live set without b')
    t.ok(a2.handle.alive().has('b'), 'b is alive at a after the replays')
    const dropped = a2.handle.stats().dropped
    t.ok((dropped.Unproven ?? 0) + (dropped.StaleEpoch ?? 0) + (dropped.Replay ?? 0) > 0, `the replays were dropped (${JSON.stringify(dropped)})`)
  } finally {
    await Promise.allSettled(running.map((h) => h.stop()))
    relay.close()
    replayer.close()
  }
})
