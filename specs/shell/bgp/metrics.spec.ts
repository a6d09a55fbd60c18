// MetalLB's BGP metrics from a live session: a real startPeerSession dials the test over loopback
// TCP with bgpMetrics as its observer, and the scraped registry moves as the messages go each way:
// OPEN and KEEPALIVE counted on both sides, UPDATEs sent (two routes in one message, then
// End-of-RIB) and received, the prefixes held, session_up 1 then 0 with the NOTIFICATION sent for a
// broken header, ironlb_bgp_session_state following the RFC 4271 state, and every series of the
// peer gone once the session is stopped.
import * as E from 'fp-ts/lib/Either.js'
import { Registry } from 'prom-client'
import t from 'tap'
import { encodeMessage } from '../../../core/bgp/message.js'
import { mkRoute } from '../../../core/bgp/route.js'
import type { Asn } from '../../../core/model/bgpPeer.js'
import { parsePrefix } from '../../../core/net/prefix.js'
import { bgpMetrics, bgpPeerLabel } from '../../../shell/bgp/metrics.js'
import { startPeerSession } from '../../../shell/bgp/peerSession.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { OUR_ASN, OUR_ROUTER_ID, PEER_ASN, establish, loopbackPeer } from './loopbackPeer.js'

/** Every sample of the registry as "name{labels}" -> value. */
const scrape = async (r: Registry): Promise<Map<string, number>> =>
  new Map(
    (await r.metrics())
      .split('\n')
      .filter((l) => l.startsWith('metallb_bgp_') || l.startsWith('ironlb_bgp_'))
      .map((l) => {
        const at = l.lastIndexOf(' ')
        return [l.slice(0, at), Number(l.slice(at + 1))] as const
      }),
  )

const route = (p: string) => {
  const prefix = parsePrefix(p)
  if (E.isLeft(prefix)) throw new Error(prefix.left)
  return mkRoute({ prefix: prefix.right, communities: [] })
}

t.test('the observer alone: each kind to its counter, totals, forget drops every series', async (t) => {
  const registry = new Registry()
  const m = bgpMetrics(registry)
  const p = bgpPeerLabel('2001:db8::1', 179, undefined)
  t.same(p, { peer: '2001:db8::1:179', vrf: 'default' }, "MetalLB's peer label: address:port")
  m.sent(p, 'Open')
  m.sent(p, 'RouteRefresh')
  m.received(p, 'Notification')
  m.received(p, 'RouteRefresh')
  const s = await scrape(registry)
  const l = '{peer="2001:db8::1:179",vrf="default"}'
  t.equal(s.get(`metallb_bgp_opens_sent${l}`), 1)
  t.equal(s.get(`metallb_bgp_route_refresh_sent${l}`), 1)
  t.equal(s.get(`metallb_bgp_total_sent${l}`), 2)
  t.equal(s.get(`metallb_bgp_total_received${l}`), 2, 'kinds without a counter of their own count in the total')
  m.forget(p)
  t.same([...(await scrape(registry)).keys()], [], 'no series left')
})

t.test('a live session moves the counters', async (t) => {
  const peer = await loopbackPeer()
  t.teardown(() => peer.close())
  const registry = new Registry()
  const session = startPeerSession({
    // A connect retry of seconds: under load a 0.2 s timer fired before the session read the peer's accept, dropping the first connection.
    config: { localAsn: OUR_ASN, peerAsn: { _tag: 'Fixed', asn: PEER_ASN as Asn }, routerId: OUR_ROUTER_ID, holdTimeSeconds: 90, connectRetrySeconds: 5, dial: true, families: [4] },
    remote: '127.0.0.1',
    port: peer.port,
    log: silentLogger,
    observe: bgpMetrics(registry),
  })
  t.teardown(() => session.stop())
  session.advertise([route('203.0.113.10/32'), route('203.0.113.11/32')])
  session.start()
  const l = `{peer="127.0.0.1:${peer.port}",vrf="default"}`
  t.same(Object.fromEntries([...(await scrape(registry))].filter(([k]) => k.startsWith('metallb_bgp_session_up') || k.includes('prefixes'))), {
    [`metallb_bgp_session_up${l}`]: 0,
    [`metallb_bgp_announced_prefixes_total${l}`]: 0,
    [`metallb_bgp_pending_prefixes_total${l}`]: 2,
  }, 'before the session is up: down, two prefixes pending')

  const conn = await establish(peer, 30_000)
  if (typeof conn === 'string') return void t.fail(conn)
  // The routes' UPDATE came before End-of-RIB; establish read one UPDATE, the other may still be in flight.
  const more = await conn.next(10_000)
  t.equal(typeof more === 'string' ? more : more.type, 'UPDATE', 'routes and End-of-RIB: two UPDATEs')
  conn.send(encodeMessage({ _tag: 'Update', update: { withdrawn: [], nlri: [], mpUnreach: [] } }, { fourOctetAs: true }))
  conn.send(encodeMessage({ _tag: 'Keepalive' }, { fourOctetAs: true }))
  // Both read by the session: polled, bounded, rather than a fixed wait.
  let up = await scrape(registry)
  for (let i = 0; i < 100 && up.get(`metallb_bgp_keepalives_received${l}`) !== 2; i++) {
    await new Promise((r) => setTimeout(r, 50))
    up = await scrape(registry)
  }
  const want = {
    session_up: 1,
    opens_sent: 1,
    opens_received: 1,
    keepalives_sent: 1,
    keepalives_received: 2,
    updates_total: 2,
    updates_total_received: 1,
    total_sent: 4,
    total_received: 4,
    announced_prefixes_total: 2,
    pending_prefixes_total: 2,
  }
  for (const [name, v] of Object.entries(want)) t.equal(up.get(`metallb_bgp_${name}${l}`), v, name)
  const states = (s: Map<string, number>): string[] => [...s].filter(([k, v]) => k.startsWith('ironlb_bgp_session_state{') && v === 1).map(([k]) => /state="(\w+)"/.exec(k)?.[1] ?? k)
  t.same(states(up), ['Established'], 'ironlb_bgp_session_state: Established, and only it')

  conn.send(Uint8Array.of(...new Array<number>(16).fill(0xff), 0, 19, 9)) // message type 9: Bad Message Type
  t.equal(await conn.next(10_000).then((m) => (typeof m === 'string' ? m : m.type)), 'NOTIFICATION')
  await new Promise((r) => setTimeout(r, 100))
  const down = await scrape(registry)
  t.equal(down.get(`metallb_bgp_session_up${l}`), 0, 'down after the reset')
  t.equal(down.get(`metallb_bgp_notifications_sent${l}`), 1, 'one NOTIFICATION sent')
  t.equal(down.get(`metallb_bgp_announced_prefixes_total${l}`), 0, 'nothing held by a peer that is gone')
  t.equal(states(down).length, 1, 'one state at a time')
  t.not(states(down)[0], 'Established', `no longer Established (${states(down).join()})`)
  session.stop()
  t.same([...(await scrape(registry)).keys()].filter((k) => k.includes(l)), [], 'stopped: the peer has no series left')
})
