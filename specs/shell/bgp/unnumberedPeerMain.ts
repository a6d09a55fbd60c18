// An unnumbered BGP speaker for specs/shell/bgp/unnumbered.netns.spec.ts, run inside a lab namespace:
// it finds the router on --interface through shell/bgp/unnumbered.ts (watchUnnumberedPeer: looked for every
// 250 ms, RAs of ours every 2 s, at most --max-seconds), dials it at its link-local address with extended next hop asked for (RFC 8950), and
// announces 203.0.113.10/32 once Established. JSON lines out: target, up (with what was agreed), down.
//
//   --interface IF --asn N --router-id IPv4 --max-seconds S
import { startPeerSession } from '../../../shell/bgp/peerSession.js'
import { watchUnnumberedPeer } from '../../../shell/bgp/unnumbered.js'
import { nativeDialer } from '../../../shell/native/bgpSockets.js'
import { jsonLogger } from '../../../shell/obs/log.js'
import { mkRoute } from '../../../core/bgp/route.js'
import { type IP, formatIP, parseIP } from '../../../core/net/address.js'
import { parsePrefix } from '../../../core/net/prefix.js'
import * as E from 'fp-ts/lib/Either.js'
import { arg, emit } from '../../support/agentMain.js'

const ifname = arg('--interface')
const deadline = Date.now() + Number(arg('--max-seconds')) * 1000
setTimeout(() => {
  emit({ event: 'timeout' })
  process.exit(3)
}, deadline - Date.now()).unref()
const routerId = parseIP(arg('--router-id'))
const route = parsePrefix('203.0.113.10/32')
if (E.isLeft(routerId) || E.isLeft(route)) throw new Error('bad --router-id')

const start = (host: string, own: IP | undefined): void => {
  const session = startPeerSession({
    config: {
      localAsn: Number(arg('--asn')),
      peerAsn: { _tag: 'Dynamic', mode: 'external' },
      routerId: Number(routerId.right.value),
      holdTimeSeconds: 90,
      connectRetrySeconds: 2,
      dial: true,
      families: [4, 6],
      extendedNextHop: true,
    },
    remote: host,
    // The addon's sockets, as the speaker's (TTL, MD5, device): a scoped link-local target dials as is.
    dialer: nativeDialer,
    // The session's socket names its address with the zone, which an IP does not carry: ours is passed in.
    otherNextHops: own === undefined ? {} : { v6: own },
    log: jsonLogger(process.argv.includes('--debug') ? 'debug' : 'none'),
    onUp: (a) => emit({ event: 'up', extendedNextHop: a.out.extendedNextHop, families: a.out.families, nextHopV6: a.out.nextHopV6 === undefined ? null : formatIP(a.out.nextHopV6) }),
    onDown: (reason) => emit({ event: 'down', reason }),
  })
  session.advertise([mkRoute({ prefix: route.right, communities: [] })])
  session.start()
}

// FRR takes our link-local address from our Router Advertisements (every 2 s here); we look every 250 ms.
const watch = watchUnnumberedPeer(
  ifname,
  (host, own) => {
    emit({ event: 'target', host })
    start(host, own)
  },
  (why) => emit({ event: 'waiting', why }),
  { advertiseMs: 2_000, lookMs: 250 },
)
setTimeout(() => watch.stop(), deadline - Date.now()).unref()
