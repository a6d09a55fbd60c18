// ServiceBGPStatus as MetalLB keeps it: one object per (Service, node) listing the peers, sorted;
// none for a Service advertised to no peer; duplicates go, the oldest stays. Properties: applying
// the writes reaches exactly the desired set in one round, and a second round writes nothing.
import t from 'tap'
import fc from 'fast-check'
import { decodeBgpStatuses } from '../../../core/speaker/bgpStatusCodec.js'
import { type BgpStatusObject, type BgpStatusWrite, bgpStatusWrites, desiredBgpStatus } from '../../../core/speaker/bgpStatusWrites.js'
import { type ServiceKey, serviceKey } from '../../../core/model/names.js'

const ad = (ns: string, name: string, peer: string) => ({ service: serviceKey(ns, name), peer })

t.test('examples', async (t) => {
  const advertised = [ad('a', 'web', 'tor-b'), ad('a', 'web', 'tor-a'), ad('a', 'web', 'tor-a'), ad('a', 'db', 'tor-a')]
  t.same(desiredBgpStatus(advertised), [
    { serviceNamespace: 'a', serviceName: 'db', peers: ['tor-a'] },
    { serviceNamespace: 'a', serviceName: 'web', peers: ['tor-a', 'tor-b'] },
  ], 'one record per Service, peers sorted, one route per prefix counted once')
  const existing: BgpStatusObject[] = [
    { name: 'bgp-2', serviceNamespace: 'a', serviceName: 'web', peers: ['tor-b', 'tor-a'] },
    { name: 'bgp-1', serviceNamespace: 'a', serviceName: 'web', peers: ['tor-a'] },
    { name: 'bgp-3', serviceNamespace: 'a', serviceName: 'gone', peers: ['tor-a'] },
  ]
  t.same(bgpStatusWrites(advertised, existing), [
    { _tag: 'Create', serviceNamespace: 'a', serviceName: 'db', peers: ['tor-a'] },
    { _tag: 'Update', name: 'bgp-1', serviceNamespace: 'a', serviceName: 'web', peers: ['tor-a', 'tor-b'] },
    { _tag: 'Delete', name: 'bgp-2' },
    { _tag: 'Delete', name: 'bgp-3' },
  ], 'creates, updates, deletes; of two for web the oldest name is kept')
  t.same(bgpStatusWrites([], existing.slice(0, 1)), [{ _tag: 'Delete', name: 'bgp-2' }], 'advertised to no peer: no object')
  t.same(bgpStatusWrites(advertised.slice(0, 2), existing.slice(0, 1)), [], 'same peers in another order: nothing to write')
  t.same(bgpStatusWrites([ad('a', 'x/y', 'p')], []), [{ _tag: 'Create', serviceNamespace: 'a', serviceName: 'x/y', peers: ['p'] }], 'the namespace ends at the first slash')
})

t.test('decoding the cache: status, else labels; a bad peer list reads as none', async (t) => {
  const labels = { 'metallb.io/service-name': 'db', 'metallb.io/service-namespace': 'shop', 'metallb.io/node': 'n0' }
  const rows = [
    { desc: 'written', in: { metadata: { name: 'bgp-a', labels }, status: { serviceName: 'web', serviceNamespace: 'default', peers: ['p2', 'p1'] } }, want: [{ name: 'bgp-a', serviceName: 'web', serviceNamespace: 'default', peers: ['p2', 'p1'] }] },
    { desc: 'labels only', in: { metadata: { name: 'bgp-b', labels } }, want: [{ name: 'bgp-b', serviceName: 'db', serviceNamespace: 'shop', peers: [] }] },
    { desc: 'a number among the peers', in: { metadata: { name: 'bgp-c', labels }, status: { peers: ['p1', 3] } }, want: [{ name: 'bgp-c', serviceName: 'db', serviceNamespace: 'shop', peers: [] }] },
    { desc: 'peers not a list', in: { metadata: { name: 'bgp-d', labels }, status: { peers: 'p1' } }, want: [{ name: 'bgp-d', serviceName: 'db', serviceNamespace: 'shop', peers: [] }] },
    { desc: 'no Service anywhere', in: { metadata: { name: 'bgp-e' } }, want: [] },
    { desc: 'not an object', in: 7, want: [] },
  ]
  for (const r of rows) t.same(decodeBgpStatuses([r.in]), r.want, r.desc)
  t.same(bgpStatusWrites([ad('shop', 'db', 'p1')], decodeBgpStatuses([rows[2]?.in])), [{ _tag: 'Update', name: 'bgp-c', serviceNamespace: 'shop', serviceName: 'db', peers: ['p1'] }], 'a bad list is rewritten')
  fc.assert(fc.property(fc.array(fc.jsonValue()), (xs) => decodeBgpStatuses(xs).length <= xs.length))
})

const svcArb = fc.record({ ns: fc.constantFrom('a', 'b'), name: fc.constantFrom('x', 'y', 'z') })
const peerArb = fc.constantFrom('p1', 'p2', 'p3')

/** The objects after the writes, the way the API server would hold them. */
const apply = (existing: readonly BgpStatusObject[], writes: readonly BgpStatusWrite[]): BgpStatusObject[] => {
  const after = new Map(existing.map((o) => [o.name, o]))
  writes.forEach((w, i) => {
    if (w._tag === 'Delete') after.delete(w.name)
    else if (w._tag === 'Update') after.set(w.name, { name: w.name, serviceNamespace: w.serviceNamespace, serviceName: w.serviceName, peers: w.peers })
    else after.set(`new-${i}`, { name: `new-${i}`, serviceNamespace: w.serviceNamespace, serviceName: w.serviceName, peers: w.peers })
  })
  return [...after.values()]
}

t.test('one round reaches exactly the advertised set; the next writes nothing', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ svc: svcArb, peer: peerArb }), { maxLength: 12 }),
      fc.array(fc.record({ svc: svcArb, peers: fc.array(peerArb, { maxLength: 3 }) }), { maxLength: 8 }),
      (adsRaw, haveRaw) => {
        const advertised = adsRaw.map((a) => ({ service: serviceKey(a.svc.ns, a.svc.name), peer: a.peer }))
        const existing = haveRaw.map((h, i) => ({ name: `bgp-${String(i).padStart(2, '0')}`, serviceNamespace: h.svc.ns, serviceName: h.svc.name, peers: h.peers }))
        const after = apply(existing, bgpStatusWrites(advertised, existing))
        const got = after.map((o) => `${o.serviceNamespace}/${o.serviceName}:${[...o.peers].sort().join(',')}`).sort()
        const want = new Map<ServiceKey, Set<string>>()
        for (const a of advertised) want.set(a.service, new Set([...(want.get(a.service) ?? []), a.peer]))
        const wanted = [...want].map(([k, ps]) => `${k}:${[...ps].sort().join(',')}`).sort()
        return JSON.stringify(got) === JSON.stringify(wanted) && bgpStatusWrites(advertised, after).length === 0
      },
    ),
    { seed: 102, numRuns: 500 },
  )
  t.pass('converges in one round')
})
