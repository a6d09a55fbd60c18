// The speaker's appliers on recorders: the plan's steps in order (detector, responders, status,
// reasons), a log line per changed reason and none for an unchanged one, the reasons gauge with its
// bounded labels, and a withdrawal that empties the responders and says why.
import t from 'tap'
import type { L2StatusWrite } from '../../../core/speaker/l2StatusWrites.js'
import type { MembershipPlan } from '../../../core/speaker/membershipPlan.js'
import { initialSpeakerState, type SpeakerState } from '../../../core/speaker/speakerPlan.js'
import { reconcileSpeaker } from '../../../core/speaker/reconcile.js'
import { formatIP, type IP } from '../../../core/net/address.js'
import { jsonLogger } from '../../../shell/obs/log.js'
import { applySpeakerPlan } from '../../../shell/speaker/applyPlan.js'
import type { L2Responder } from '../../../shell/speaker/l2Responder.js'
import type { MembershipApplier } from '../../../shell/speaker/membershipApplier.js'
import { speakerMetrics } from '../../../shell/speaker/metrics.js'
import { ENV, UNABLE, member, mkInput, rawL2, rawNode, rawPool, rawService, rawSlice } from '../../core/speaker/mk.js'

const recorder = () => {
  const did: string[] = []
  const lines: Record<string, unknown>[] = []
  const responder: L2Responder = {
    probe: () => [],
    apply: async (desired) => void did.push(`responder ${JSON.stringify(Object.fromEntries([...desired].map(([k, v]) => [k, v.map(formatIP)])))}`),
    reassert: (ips: readonly IP[]) => void did.push(`reassert ${ips.map(formatIP).join(',')}`),
    announcedOn: () => new Map(),
    silence: () => undefined,
    close: async () => undefined,
  }
  const membership: MembershipApplier = {
    view: () => ({ _tag: 'Out' }),
    goneSince: () => new Map(),
    apply: async (p: MembershipPlan) => void did.push(`membership ${p._tag}`),
    stop: async () => undefined,
  }
  const metrics = speakerMetrics('n0')
  const appliers = {
    log: jsonLogger('info', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)),
    metrics,
    responder,
    membership,
    publishStatus: (w: readonly L2StatusWrite[]) => void did.push(`status ${w.map((x) => x._tag).join(',')}`),
    publishConfigState: async () => undefined,
    now: () => ENV.now,
  }
  return { did, lines, metrics, appliers }
}

const objects = [rawPool('p', ['198.51.100.0/28']), rawL2('all'), rawNode('n0'), rawNode('n1'), rawService('web', { ips: ['198.51.100.1'] }), rawSlice('web', [{ node: 'n0' }]), rawService('idle', { ips: ['198.51.100.2'] })]
const usable = new Map([['eth0', { name: 'eth0', ifindex: 2, mac: '02:00:5e:00:00:01', up: true, noArp: false, loopback: false, master: undefined }]]) as never

t.test('one pass after another: steps in order, each reason logged once, the gauge every pass', async (t) => {
  const r = recorder()
  let state: SpeakerState = initialSpeakerState
  for (const input of [mkInput(objects, { membership: member('n0') }), mkInput(objects, { membership: member('n0') })]) {
    const step = reconcileSpeaker(input, state, ENV)
    t.same(await applySpeakerPlan(step.plan, usable, r.appliers), { _tag: 'Done' })
    state = step.state
  }
  t.same(r.did, ['membership SetMembers', 'responder {"eth0":["198.51.100.1"]}', 'status Create', 'membership Keep', 'responder {"eth0":["198.51.100.1"]}', 'status Create'], 'no cache here holds the created status: level-based, the next pass asks again')
  const said = r.lines.filter((l) => l['event'] === 'not-announcing')
  t.match(said, [{ service: 'default/idle', ip: '198.51.100.2', reason: 'NoEndpoints', detail: /no endpoint/ }], 'one line, not one per pass')
  t.same(r.lines.filter((l) => l['event'] === 'announcing').map((l) => l['ips']), [['198.51.100.1']])
  const text = await r.metrics.registry.metrics()
  t.match(text, /ironlb_speaker_not_announced\{protocol="layer2",reason="NoEndpoints"\} 1/)
  t.match(text, /ironlb_speaker_not_announced\{protocol="layer2",reason="NotOwner"\} 0/)
  t.equal((text.match(/^ironlb_speaker_not_announced\{protocol="layer2"/gm) ?? []).length, 14, 'one series per reason, whatever the cluster')
  t.equal((text.match(/^ironlb_speaker_not_announced\{protocol="bgp"/gm) ?? []).length, 15, 'and one per BGP reason')
})

t.test('BGP: each (IP, peer) reason logged once with its peer, counted under protocol="bgp"; no route acted on', async (t) => {
  const r = recorder()
  const peer = { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'tor', namespace: 'metallb-system' }, spec: { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.254' } }
  const adv = { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'b', namespace: 'metallb-system' }, spec: {} }
  let state: SpeakerState = initialSpeakerState
  for (const input of [mkInput([...objects, peer, adv], { membership: member('n0') }), mkInput([...objects, peer, adv], { membership: member('n0') })]) {
    const step = reconcileSpeaker(input, state, ENV)
    await applySpeakerPlan(step.plan, usable, r.appliers)
    state = step.state
  }
  const said = r.lines.filter((l) => l['event'] === 'not-announcing' && l['protocol'] === 'bgp')
  t.match(said, [{ service: 'default/idle', ip: '198.51.100.2', peer: 'tor', reason: 'NoEndpoints', detail: /no endpoint/ }], 'one line, not one per pass')
  const text = await r.metrics.registry.metrics()
  t.match(text, /ironlb_speaker_not_announced\{protocol="bgp",reason="NoEndpoints"\} 1/)
  t.match(text, /ironlb_speaker_not_announced\{protocol="bgp",reason="PeerNotSelected"\} 0/)
  t.same(r.did.filter((d) => /bgp|route/i.test(d)), [], 'the shell does not act on the routes yet')
})

t.test('a join asks for another pass; a withdrawal empties the responders and says why', async (t) => {
  const r = recorder()
  const join = reconcileSpeaker(mkInput(objects, { membership: { _tag: 'Out' } }), initialSpeakerState, ENV)
  t.match(await applySpeakerPlan(join.plan, usable, r.appliers), { _tag: 'Again' })
  const on = reconcileSpeaker(mkInput(objects), join.state, ENV)
  await applySpeakerPlan(on.plan, usable, r.appliers)
  const off = reconcileSpeaker(mkInput(objects, { readiness: UNABLE }), on.state, ENV)
  await applySpeakerPlan(off.plan, usable, r.appliers)
  t.same(r.did.slice(-3), ['membership Leave', 'responder {}', 'status '])
  t.match(r.lines.filter((l) => l['event'] === 'stopped-announcing'), [{ ips: ['198.51.100.1'], reason: 'l2-unable' }])
  t.notMatch(await r.metrics.registry.metrics(), /metallb_speaker_announced\{/)
})
