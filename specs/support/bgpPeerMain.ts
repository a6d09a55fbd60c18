// A BGP peer made of core/bgp (codec and session state machine) and shell/bgp (session and
// listener), run by the router interop specs inside a lab namespace: it dials the router (unless
// --passive) and listens on port 179 (with --listen), reports every message it decodes and every
// Up / Down as JSON lines, and on command announces, withdraws or stops (Cease).
//
//   --local IP --local6 IPv6 --remote IP --asn N --peer-asn N --router-id IPv4 --max-seconds S [--passive] [--listen]
//   [--graceful-restart [--restarted]] [--announce-at-start]
//   stdin: {"cmd":"announce"} | {"cmd":"withdraw"} | {"cmd":"cease"} | {"cmd":"crash"} (exit at once: no NOTIFICATION)
import { createInterface } from 'node:readline'
import * as E from 'fp-ts/lib/Either.js'
import type { Received } from '../../core/bgp/message.js'
import { describeNotification } from '../../core/bgp/notification.js'
import { mkRoute } from '../../core/bgp/route.js'
import type { Asn } from '../../core/model/bgpPeer.js'
import { startBgpListener } from '../../shell/bgp/listener.js'
import { startPeerSession } from '../../shell/bgp/peerSession.js'
import { jsonLogger } from '../../shell/obs/log.js'
import { formatIP, parseIP, unsafeIp } from '../../core/net/address.js'
import { formatPrefix, parsePrefix } from '../../core/net/prefix.js'
import { arg, emit } from './agentMain.js'

const must = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
}

const local = arg('--local')
const asn = Number(arg('--asn'))
const routerId = Number(must(parseIP(arg('--router-id'))).value)
setTimeout(() => {
  emit({ event: 'timeout' })
  process.exit(3)
}, Number(arg('--max-seconds')) * 1000).unref()

// What the spec expects to find in the router's RIB (it names them too).
const V4_ROUTE = '203.0.113.10/32'
const V6_ROUTE = '2001:db8:300::10/128'
const communities = [
  { _tag: 'Standard', high: 65000, low: 100 },
  { _tag: 'Large', global: asn, local1: 7, local2: 9 },
] as const
const ROUTES = [V4_ROUTE, V6_ROUTE].map((p) => mkRoute({ prefix: must(parsePrefix(p)), communities }))
const flag = (name: string): boolean => process.argv.includes(name)

const report = (m: Received): void => {
  switch (m._tag) {
    case 'Open':
      return emit({
        event: 'open',
        asn: m.open.asn,
        holdTimeSeconds: m.open.holdTimeSeconds,
        routerId: formatIP(unsafeIp(4, BigInt(m.open.routerId))),
        capabilities: m.open.capabilities.map((c) => (c._tag === 'Multiprotocol' ? `Multiprotocol ${c.afi}/${c.safi}` : c._tag === 'Unknown' ? `Unknown ${c.code}` : c._tag)),
      })
    case 'Keepalive':
      return emit({ event: 'keepalive' })
    case 'Update': {
      const u = m.update
      return emit({
        event: 'update',
        nlri: u.nlri.map(formatPrefix),
        withdrawn: u.withdrawn.map(formatPrefix),
        mpReach: u.mpReach?.nlri.map(formatPrefix) ?? [],
        mpUnreach: u.mpUnreach.map(formatPrefix),
        asPath: u.attributes?.asPath ?? null,
        nextHop: u.attributes?.nextHop === undefined ? null : formatIP(u.attributes.nextHop),
        attributeErrors: u.attributeErrors.map(describeNotification),
      })
    }
    case 'Notification':
      return emit({ event: 'notification', text: describeNotification(m.notification) })
    case 'RouteRefresh':
      return emit({ event: 'route-refresh', afi: m.afi, safi: m.safi })
  }
}

const remote = arg('--remote')
const session = startPeerSession({
  config: {
    localAsn: asn,
    peerAsn: { _tag: 'Fixed', asn: Number(arg('--peer-asn')) as Asn },
    routerId,
    holdTimeSeconds: 90,
    connectRetrySeconds: 2,
    dial: !flag('--passive'),
    families: [4, 6],
    ...(flag('--graceful-restart') ? { gracefulRestart: { restartSeconds: 30 } } : {}),
  },
  restarted: flag('--restarted'),
  remote,
  socket: { localAddress: local },
  otherNextHops: { v6: must(parseIP(arg('--local6'))) },
  log: jsonLogger('none'),
  onUp: (a) => emit({ event: 'up', conn: session.connection(), peerRouterId: formatIP(unsafeIp(4, BigInt(a.peerRouterId))) }),
  onDown: (reason) => emit({ event: 'down', reason }),
  onMessage: report,
})
const listener = flag('--listen') ? startBgpListener({ host: local, port: 179, sessionFor: (r) => (r === remote ? session : undefined), log: jsonLogger('none') }) : undefined
if (flag('--announce-at-start')) session.advertise(ROUTES)
session.start()
// Specs whose router dials us wait for this: a connection refused before it costs the router's connect timer.
setTimeout(() => emit({ event: 'started', listening: listener !== undefined }), 200)

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = (JSON.parse(line) as { cmd?: string }).cmd
  const wasUp = session.state() === 'Established'
  if (cmd === 'announce') session.advertise(ROUTES)
  else if (cmd === 'withdraw') session.advertise([])
  else if (cmd === 'crash') process.exit(9)
  else if (cmd === 'cease') {
    session.stop()
    void listener?.close()
  }
  emit({ event: 'sent', cmd, sent: wasUp, state: session.state() })
})
