import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { sessionConfigOf } from '../../../core/bgp/sessionConfig.js'
import type { Asn, BGPPeer } from '../../../core/model/bgpPeer.js'
import { type IP, parseIP } from '../../../core/net/address.js'

const ip = (s: string): IP => {
  const r = parseIP(s)
  if (E.isLeft(r)) throw new Error(r.left)
  return r.right
}
const peer = (over: Partial<BGPPeer> = {}): BGPPeer => ({
  name: 'p',
  myAsn: 64512 as Asn,
  peerAsn: { _tag: 'Fixed', asn: 64500 as Asn },
  target: { _tag: 'Address', ip: ip('198.51.100.1') },
  sourceAddress: undefined,
  port: 179,
  timers: undefined,
  connectTime: undefined,
  routerId: undefined,
  nodeSelectors: [],
  password: { _tag: 'None' },
  bfdProfile: undefined,
  enableGracefulRestart: false,
  ebgpMultiHop: false,
  vrf: '',
  disableMP: false,
  dualStackAddressFamily: false,
  localAsn: undefined,
  ...over,
})
const NODE = ip('198.51.100.11')

t.test("a BGPPeer's session config on a node", async (t) => {
  const rows = [
    { desc: 'defaults', in: peer(), want: { localAsn: 64512, routerId: 0xc633640b, holdTimeSeconds: 180, keepaliveSeconds: 60, connectRetrySeconds: 120, families: [4] } },
    { desc: 'an IPv6 peer', in: peer({ target: { _tag: 'Address', ip: ip('2001:db8::1') } }), want: { families: [6], extendedNextHop: undefined } },
    { desc: 'dualStackAddressFamily', in: peer({ dualStackAddressFamily: true }), want: { families: [4, 6] } },
    { desc: 'unnumbered', in: peer({ target: { _tag: 'Interface', name: 'eth1' } }), want: { families: [4, 6], extendedNextHop: true } },
    { desc: 'localASN shown instead of myASN', in: peer({ localAsn: 4200000000 as Asn }), want: { localAsn: 4200000000 } },
    { desc: 'routerID wins over the node address', in: peer({ routerId: ip('192.0.2.9') }), want: { routerId: 0xc0000209 } },
    { desc: 'timers in milliseconds to seconds', in: peer({ timers: { holdTime: 9_000, keepaliveTime: 3_000 }, connectTime: 5_000 }), want: { holdTimeSeconds: 9, keepaliveSeconds: 3, connectRetrySeconds: 5 } },
    { desc: 'graceful restart', in: peer({ enableGracefulRestart: true }), want: { gracefulRestart: { restartSeconds: 120 } } },
  ]
  for (const r of rows) {
    const c = sessionConfigOf(r.in, NODE)
    const picked = Object.fromEntries(Object.keys(r.want).map((k) => [k, (c as unknown as Record<string, unknown>)[k]]))
    t.same(picked, r.want, r.desc)
  }
  t.same(sessionConfigOf(peer(), undefined), { _tag: 'NoSession', reason: 'NoRouterId' }, 'no routerID and no node IPv4 address: no session')
})
