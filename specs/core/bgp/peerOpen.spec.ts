import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { agree, offeredCapabilities } from '../../../core/bgp/peerOpen.js'
import type { Capability, Open } from '../../../core/bgp/open.js'
import type { Asn } from '../../../core/model/bgpPeer.js'

const policy = { localAsn: 64512, peerAsn: { _tag: 'Fixed', asn: 64500 as Asn } as const, routerId: 0xc6336411, holdTimeSeconds: 90, families: [4, 6] as const }
const mp = (afi: number): Capability => ({ _tag: 'Multiprotocol', afi, safi: 1 })
const open = (over: Partial<Open> = {}): Open => ({ asn: 64500, holdTimeSeconds: 30, routerId: 0xc6336401, capabilities: [mp(1), mp(2)], ...over })

t.test('families carried: ours that the peer also offers; no multiprotocol capability means IPv4 only (RFC 4760 §8)', async (t) => {
  const rows = [
    { desc: 'both offer both', in: open(), want: [4, 6] },
    { desc: 'peer IPv6 only', in: open({ capabilities: [mp(2)] }), want: [6] },
    { desc: 'peer without multiprotocol', in: open({ capabilities: [] }), want: [4] },
    { desc: 'peer offers only a family we do not know', in: open({ capabilities: [mp(25)] }), want: [] },
  ]
  for (const r of rows) t.same(E.map((a: { out: { families: readonly number[] } }) => a.out.families)(agree(policy, r.in, {})), E.right(r.want), r.desc)
})

t.test('the BGP Identifier: equal to ours is refused inside one AS only (RFC 6286 §2.2)', async (t) => {
  t.same(E.mapLeft((n: { code: number; subcode: number }) => [n.code, n.subcode])(agree({ ...policy, peerAsn: { _tag: 'Fixed', asn: 64512 as Asn } }, open({ asn: 64512, routerId: policy.routerId }), {})), E.left([2, 3]))
  t.ok(E.isRight(agree(policy, open({ routerId: policy.routerId }), {})), 'eBGP with the same identifier is accepted')
})

t.test('hold and keepalive: the smaller hold time; keepaliveTime when below a third of it; none with hold 0', async (t) => {
  const rows = [
    { desc: 'hold 30, no keepaliveTime', in: { keepaliveSeconds: undefined, hold: 30 }, want: [30, 10] },
    { desc: 'hold 30, keepaliveTime 2', in: { keepaliveSeconds: 2, hold: 30 }, want: [30, 2] },
    { desc: 'peer hold 0', in: { keepaliveSeconds: 2, hold: 0 }, want: [0, 0] },
    { desc: 'peer hold 3', in: { keepaliveSeconds: undefined, hold: 3 }, want: [3, 1] },
  ]
  for (const r of rows) {
    const p = r.in.keepaliveSeconds === undefined ? policy : { ...policy, keepaliveSeconds: r.in.keepaliveSeconds }
    t.same(E.map((a: { holdSeconds: number; keepaliveSeconds: number }) => [a.holdSeconds, a.keepaliveSeconds])(agree(p, open({ holdTimeSeconds: r.in.hold }), {})), E.right(r.want), r.desc)
  }
})

t.test('what we offer: one multiprotocol capability per family, route refresh, graceful restart when on, four-octet AS', async (t) => {
  t.same(offeredCapabilities(policy, undefined).map((c) => c._tag), ['Multiprotocol', 'Multiprotocol', 'RouteRefresh', 'FourOctetAs'])
  t.same(offeredCapabilities({ ...policy, families: [6] }, { restartSeconds: 90, restarted: false }), [mp(2), { _tag: 'RouteRefresh' }, { _tag: 'GracefulRestart', restarted: false, restartSeconds: 90, families: [{ afi: 2, safi: 1, forwardingKept: false }] }, { _tag: 'FourOctetAs', asn: 64512 }])
})

const ENH: Capability = { _tag: 'ExtendedNextHop', families: [{ afi: 1, safi: 1, nextHopAfi: 2 }] }

t.test('RFC 8950: IPv4 over an IPv6 next hop is offered when asked for, and used only when both sides sent it', async (t) => {
  t.same(offeredCapabilities({ ...policy, extendedNextHop: true }, undefined)[3], ENH, 'offered after route refresh')
  t.notOk(offeredCapabilities(policy, undefined).some((c) => c._tag === 'ExtendedNextHop'), 'not offered unless asked for')
  t.notOk(offeredCapabilities({ ...policy, families: [6], extendedNextHop: true }, undefined).some((c) => c._tag === 'ExtendedNextHop'), 'not offered without IPv4 routes')
  const rows = [
    { desc: 'both', ours: true, theirs: [mp(1), mp(2), ENH], want: true },
    { desc: 'peer did not send it', ours: true, theirs: [mp(1), mp(2)], want: false },
    { desc: 'we did not ask', ours: false, theirs: [mp(1), mp(2), ENH], want: false },
    { desc: 'peer sent it for IPv6 NLRI only', ours: true, theirs: [mp(1), mp(2), { _tag: 'ExtendedNextHop', families: [{ afi: 2, safi: 1, nextHopAfi: 1 }] } as Capability], want: false },
    { desc: 'peer sent it for IPv4 multicast only', ours: true, theirs: [mp(1), mp(2), { _tag: 'ExtendedNextHop', families: [{ afi: 1, safi: 2, nextHopAfi: 2 }] } as Capability], want: false },
  ]
  for (const r of rows) t.same(E.map((a: { out: { extendedNextHop: boolean } }) => a.out.extendedNextHop)(agree({ ...policy, extendedNextHop: r.ours }, open({ capabilities: r.theirs }), {})), E.right(r.want), r.desc)
})
