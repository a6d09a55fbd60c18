// A BGP peer made of core/bgp (codec and session state machine) and shell/bgp/peerSession.ts, run by
// the router interop spec inside a lab namespace: it dials the router, reports every message it
// decodes and every Up / Down as JSON lines, and on command announces, withdraws or stops (Cease).
//
//   --local IP --local6 IPv6 --remote IP --asn N --peer-asn N --router-id IPv4 --max-seconds S
//   stdin: {"cmd":"announce"} | {"cmd":"withdraw"} | {"cmd":"cease"}
import { createInterface } from 'node:readline'
import * as E from 'fp-ts/lib/Either.js'
import type { Received } from '../../core/bgp/message.js'
import { describeNotification } from '../../core/bgp/notification.js'
import { AFI, SAFI_UNICAST } from '../../core/bgp/open.js'
import type { Update } from '../../core/bgp/update.js'
import { startPeerSession } from '../../shell/bgp/peerSession.js'
import { jsonLogger } from '../../shell/obs/log.js'
import { formatIP, parseIP, unsafeIp } from '../../core/net/address.js'
import { formatPrefix, parsePrefix } from '../../core/net/prefix.js'

const arg = (flag: string): string => {
  const i = process.argv.indexOf(flag)
  const v = i < 0 ? undefined : process.argv[i + 1]
  if (v === undefined) throw new Error(`${flag} is required`)
  return v
}
const must = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
}
const emit = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`)

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
const attributes = {
  origin: 'igp' as const,
  asPath: [asn],
  communities: [65000 * 65536 + 100],
  largeCommunities: [{ global: asn, local1: 7, local2: 9 }],
}
const announce: Update[] = [
  { withdrawn: [], attributes: { ...attributes, nextHop: must(parseIP(local)) }, nlri: [must(parsePrefix(V4_ROUTE))], mpUnreach: [] },
  { withdrawn: [], attributes, nlri: [], mpReach: { nextHop: must(parseIP(arg('--local6'))), nlri: [must(parsePrefix(V6_ROUTE))] }, mpUnreach: [] },
]
const withdraw: Update = { withdrawn: [must(parsePrefix(V4_ROUTE))], nlri: [], mpUnreach: [must(parsePrefix(V6_ROUTE))] }

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

const session = startPeerSession({
  config: {
    localAsn: asn,
    peerAsn: Number(arg('--peer-asn')),
    routerId,
    holdTimeSeconds: 90,
    connectRetrySeconds: 2,
    capabilities: [
      { _tag: 'Multiprotocol', afi: AFI.IPv4, safi: SAFI_UNICAST },
      { _tag: 'Multiprotocol', afi: AFI.IPv6, safi: SAFI_UNICAST },
      { _tag: 'RouteRefresh' },
      { _tag: 'FourOctetAs', asn },
    ],
  },
  remote: arg('--remote'),
  localAddress: local,
  log: jsonLogger('none'),
  onUp: () => emit({ event: 'up' }),
  onDown: (reason) => emit({ event: 'down', reason }),
  onMessage: report,
})
session.start()

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = (JSON.parse(line) as { cmd?: string }).cmd
  let sent = true
  if (cmd === 'announce') sent = announce.every((u) => session.sendUpdate(u))
  else if (cmd === 'withdraw') sent = session.sendUpdate(withdraw)
  else if (cmd === 'cease') session.stop()
  emit({ event: 'sent', cmd, sent, state: session.state() })
})
