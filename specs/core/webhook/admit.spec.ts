// The webhook's decision: refuse what a request adds to the errors the controller's decoder finds,
// objects outside IronLB's namespace, and deleting a BFDProfile a peer names; allow the rest,
// including changes to a configuration that was invalid before the webhook.
import t from 'tap'
import { type AdmissionRequestView, admit } from '../../../core/webhook/admit.js'

const NS = 'metallb-system'
const obj = (kind: string, name: string, spec: Record<string, unknown>, version = 'v1beta1', ns = NS): Record<string, unknown> => ({
  apiVersion: `metallb.io/${version}`,
  kind,
  metadata: { name, namespace: ns },
  spec,
})
const pool = (name: string, addresses: string[]): Record<string, unknown> => obj('IPAddressPool', name, { addresses })
const peer = (name: string, spec: Record<string, unknown> = {}): Record<string, unknown> =>
  obj('BGPPeer', name, { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', ...spec }, 'v1beta2')
const create = (o: Record<string, unknown>, ns = NS): AdmissionRequestView => ({
  operation: 'CREATE',
  kind: String(o['kind']),
  namespace: ns,
  name: String((o['metadata'] as { name: string }).name),
  object: o,
})
const del = (kind: string, name: string, ns = NS): AdmissionRequestView => ({ operation: 'DELETE', kind, namespace: ns, name, object: undefined })

interface Row {
  readonly desc: string
  readonly in: { readonly request: AdmissionRequestView; readonly cluster: readonly unknown[] }
  readonly want: { readonly tag: 'Allowed' | 'Denied'; readonly reason: string; readonly message?: string }
}

const rows: readonly Row[] = [
  {
    desc: 'a pool overlapping another pool',
    in: { request: create(pool('b', ['192.0.2.128/25'])), cluster: [pool('a', ['192.0.2.0/24'])] },
    want: { tag: 'Denied', reason: 'InvalidConfiguration', message: 'IPAddressPool metallb-system/' },
  },
  {
    desc: 'a pool beside another pool',
    in: { request: create(pool('b', ['198.51.100.0/24'])), cluster: [pool('a', ['192.0.2.0/24'])] },
    want: { tag: 'Allowed', reason: 'NoNewErrors' },
  },
  {
    desc: 'an update of a pool into its own old range (it replaces itself, no overlap)',
    in: { request: { ...create(pool('a', ['192.0.2.0/25'])), operation: 'UPDATE' }, cluster: [pool('a', ['192.0.2.0/24'])] },
    want: { tag: 'Allowed', reason: 'NoNewErrors' },
  },
  {
    desc: 'a pool outside the namespace',
    in: { request: create(obj('IPAddressPool', 'p', { addresses: ['192.0.2.0/24'] }, 'v1beta1', 'default'), 'default'), cluster: [] },
    want: {
      tag: 'Denied',
      reason: 'OutsideNamespace',
      message: 'IPAddressPool default/p: metadata.namespace: MetalLB configuration must be created in namespace metallb-system; IronLB ignores it anywhere else',
    },
  },
  {
    desc: 'aggregationLength 16 on a /24 pool',
    in: { request: create(obj('BGPAdvertisement', 'adv', { aggregationLength: 16, ipAddressPools: ['a'] })), cluster: [pool('a', ['192.0.2.0/24'])] },
    want: { tag: 'Denied', reason: 'InvalidConfiguration', message: 'BGPAdvertisement metallb-system/adv: spec.aggregationLength: ' },
  },
  {
    desc: 'an alias name another Community already defines',
    in: {
      request: create(obj('Community', 'c2', { communities: [{ name: 'edge', value: '65000:2' }] })),
      cluster: [obj('Community', 'c1', { communities: [{ name: 'edge', value: '65000:1' }] })],
    },
    want: { tag: 'Denied', reason: 'InvalidConfiguration', message: 'Community metallb-system/' },
  },
  {
    desc: 'an unrelated change while another object is already invalid',
    in: { request: create(pool('c', ['203.0.113.0/24'])), cluster: [pool('a', ['192.0.2.0/24']), pool('b', ['192.0.2.0/25'])] },
    want: { tag: 'Allowed', reason: 'NoNewErrors' },
  },
  {
    desc: 'deleting a BFDProfile a peer names',
    in: { request: del('BFDProfile', 'fast'), cluster: [obj('BFDProfile', 'fast', {}), peer('r1', { bfdProfile: 'fast' })] },
    want: { tag: 'Denied', reason: 'StillInUse', message: 'BGPPeer metallb-system/r1: spec.bfdProfile: BFDProfile "fast" does not exist in this namespace' },
  },
  {
    desc: 'deleting a BFDProfile no peer names',
    in: { request: del('BFDProfile', 'fast'), cluster: [obj('BFDProfile', 'fast', {}), peer('r1')] },
    want: { tag: 'Allowed', reason: 'NoNewErrors' },
  },
  // MetalLB's FRR-mode peer rules run in the webhook too (core/config/peerChecks.ts).
  {
    desc: 'a second peer with the same address on the same nodes',
    in: { request: create(peer('r2')), cluster: [peer('r1')] },
    want: { tag: 'Denied', reason: 'InvalidConfiguration', message: 'BGPPeer metallb-system/r2: spec.peerAddress: BGPPeer "r1" already peers with 192.0.2.1' },
  },
  {
    desc: 'a peer with another myASN for the same nodes',
    in: { request: create(peer('r2', { peerAddress: '192.0.2.2', myASN: 64999 })), cluster: [peer('r1')] },
    want: { tag: 'Denied', reason: 'InvalidConfiguration', message: 'BGPPeer metallb-system/r2: spec.myASN: 64999 differs from BGPPeer "r1"' },
  },
  {
    desc: 'a passwordSecret whose Secret is not applied yet (the webhook sees no Secrets, as MetalLB\'s)',
    in: { request: create(peer('r2', { peerAddress: '192.0.2.2', passwordSecret: { name: 'md5' } })), cluster: [peer('r1')] },
    want: { tag: 'Allowed', reason: 'NoNewErrors' },
  },
  {
    desc: 'deleting a pool an advertisement names (kubectl delete -f works in any order)',
    in: { request: del('IPAddressPool', 'a'), cluster: [pool('a', ['192.0.2.0/24']), obj('L2Advertisement', 'l2', { ipAddressPools: ['a'] })] },
    want: { tag: 'Allowed', reason: 'NotChecked' },
  },
]

t.test('admit: example table', async (t) => {
  for (const row of rows) {
    const d = admit(row.in.request, row.in.cluster, NS)
    t.equal(d._tag, row.want.tag, `${row.desc}: ${JSON.stringify(d)}`)
    t.equal(d.reason, row.want.reason, row.desc)
    if (row.want.message !== undefined) t.ok(d._tag === 'Denied' && d.message.startsWith(row.want.message), `${row.desc}: ${d._tag === 'Denied' ? d.message : ''}`)
  }
})

t.test('a refusal lists exactly the new errors, one per line, as simulate prints them', async (t) => {
  const d = admit(create(pool('b', ['192.0.2.128/25', '192.0.2.200-192.0.2.100'])), [pool('a', ['192.0.2.0/24']), pool('z', ['198.51.100.0/24', '198.51.100.0/25'])], NS)
  t.equal(d._tag, 'Denied')
  if (d._tag !== 'Denied') return
  const lines = d.message.split('\n')
  t.ok(lines.length >= 2, d.message)
  t.ok(lines.every((l) => /^IPAddressPool metallb-system\/[ab]: spec\.addresses/.test(l)), d.message)
  t.notOk(d.message.includes('/z:'), 'the errors pool z already had are not repeated')
})
