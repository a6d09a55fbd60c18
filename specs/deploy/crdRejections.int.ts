// Integration: what MetalLB's validating webhook refuses, the API server refuses with IronLB's CRDs
// alone (schema bounds and CEL rules), each with a message that names the field. A second table
// holds objects near those edges that must still be accepted, so no rule is broader than the
// controller's own check. Each row is a separate object in a namespace of this file's own.
import t from 'tap'
import { applyAndWait, connect, mkNamespace, mkObject } from './kubectl.js'

const kubectl = await connect()
t.teardown(() => kubectl.stop())
await applyAndWait(kubectl, ['deploy/manifests/00-namespace.yaml', 'deploy/manifests/10-crds.yaml'])
const ns = await mkNamespace(kubectl, 'it-crd-rules')

type Version = 'v1beta1' | 'v1beta2'
interface Row {
  readonly desc: string
  readonly kind: string
  readonly version?: Version
  readonly body: Record<string, unknown>
  /** For rejections: "field: text" fragments that must all appear in kubectl's error. */
  readonly want?: readonly string[]
}

const peer = (spec: Record<string, unknown>): Record<string, unknown> => ({ spec: { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', ...spec } })
const expr = (e: Record<string, unknown>): Record<string, unknown> => ({ matchExpressions: [{ key: 'k', ...e }] })

const rejected: readonly Row[] = [
  { desc: 'prefix length beyond 32', kind: 'IPAddressPool', body: { spec: { addresses: ['192.168.10.0/33'] } }, want: ['spec.addresses[0]: Invalid value: "192.168.10.0/33": each addresses entry must be a CIDR'] },
  { desc: 'a range mixing families', kind: 'IPAddressPool', body: { spec: { addresses: ['10.0.0.1-fc00::1'] } }, want: ['spec.addresses[0]: Invalid value: "10.0.0.1-fc00::1"'] },
  { desc: 'a bare address', kind: 'IPAddressPool', body: { spec: { addresses: ['10.0.0.0/30', '10.0.0.9'] } }, want: ['spec.addresses[1]: Invalid value: "10.0.0.9"'] },
  { desc: 'text that is no address', kind: 'IPAddressPool', body: { spec: { addresses: ['first-pool'] } }, want: ['spec.addresses[0]'] },
  { desc: 'a pool without addresses', kind: 'IPAddressPool', body: { spec: { addresses: [] } }, want: ['spec.addresses: Invalid value: 0: spec.addresses in body should have at least 1 items'] },
  { desc: 'a pool without spec', kind: 'IPAddressPool', body: {}, want: ['spec: Required value'] },
  {
    desc: 'unknown selector operator',
    kind: 'IPAddressPool',
    body: { spec: { addresses: ['10.2.0.0/24'], serviceAllocation: { serviceSelectors: [expr({ operator: 'Equals', values: ['a'] })] } } },
    want: ['spec.serviceAllocation.serviceSelectors[0].matchExpressions[0].operator: Invalid value: operator "Equals" is not one of In, NotIn, Exists, DoesNotExist'],
  },
  { desc: 'In without values', kind: 'L2Advertisement', body: { spec: { nodeSelectors: [expr({ operator: 'In' })] } }, want: ['spec.nodeSelectors[0].matchExpressions[0].values: Required value: operator In needs at least one value'] },
  { desc: 'NotIn with an empty list', kind: 'L2Advertisement', body: { spec: { ipAddressPoolSelectors: [expr({ operator: 'NotIn', values: [] })] } }, want: ['spec.ipAddressPoolSelectors[0].matchExpressions[0].values: Required value'] },
  { desc: 'preference weight 0', kind: 'L2Advertisement', body: { spec: { preferredNodeSelectors: [{ weight: 0, preference: {} }] } }, want: ['spec.preferredNodeSelectors[0].weight: Invalid value: 0'] },
  { desc: 'preference weight 101', kind: 'L2Advertisement', body: { spec: { preferredNodeSelectors: [{ weight: 101, preference: {} }] } }, want: ['spec.preferredNodeSelectors[0].weight: Invalid value: 101'] },
  { desc: 'a preference without its selector', kind: 'L2Advertisement', body: { spec: { preferredNodeSelectors: [{ weight: 5 }] } }, want: ['spec.preferredNodeSelectors[0].preference: Required value'] },
  {
    desc: 'a preference with a bad operator',
    kind: 'L2Advertisement',
    body: { spec: { preferredNodeSelectors: [{ weight: 5, preference: expr({ operator: 'Near' }) }] } },
    want: ['spec.preferredNodeSelectors[0].preference.matchExpressions[0].operator: Invalid value'],
  },
  { desc: 'Exists with values', kind: 'BGPAdvertisement', body: { spec: { nodeSelectors: [expr({ operator: 'Exists', values: ['x'] })] } }, want: ['spec.nodeSelectors[0].matchExpressions[0].values: Forbidden: operator Exists takes no values'] },
  { desc: 'BFD receive interval under 10 ms', kind: 'BFDProfile', body: { spec: { receiveInterval: 5 } }, want: ['spec.receiveInterval: Invalid value: 5: spec.receiveInterval in body should be greater than or equal to 10'] },
  { desc: 'BFD transmit interval over 60 s', kind: 'BFDProfile', body: { spec: { transmitInterval: 60001 } }, want: ['spec.transmitInterval: Invalid value: 60001'] },
  { desc: 'BFD detect multiplier 256', kind: 'BFDProfile', body: { spec: { detectMultiplier: 256 } }, want: ['spec.detectMultiplier: Invalid value: 256'] },
  { desc: 'BFD minimum TTL 0', kind: 'BFDProfile', body: { spec: { minimumTtl: 0 } }, want: ['spec.minimumTtl: Invalid value: 0'] },
  { desc: 'myASN missing', kind: 'BGPPeer', body: { spec: { peerASN: 64501, peerAddress: '192.0.2.1' } }, want: ['spec.myASN: Required value'] },
  { desc: 'myASN 0', kind: 'BGPPeer', body: peer({ myASN: 0 }), want: ['spec.myASN: Invalid value: 0: myASN is required: 0 is not an AS number'] },
  { desc: 'AS number beyond 32 bits', kind: 'BGPPeer', body: peer({ peerASN: 4294967296 }), want: ['spec.peerASN: Invalid value: 4294967296'] },
  { desc: 'peerASN and dynamicASN both', kind: 'BGPPeer', body: peer({ dynamicASN: 'external' }), want: ['spec.dynamicASN: Forbidden: peerASN and dynamicASN cannot both be set'] },
  { desc: 'neither peerASN nor dynamicASN', kind: 'BGPPeer', body: { spec: { myASN: 64500, peerAddress: '192.0.2.1' } }, want: ['spec.peerASN: Required value: give the peer\'s AS number in peerASN, or set dynamicASN'] },
  { desc: 'dynamicASN not internal/external', kind: 'BGPPeer', body: { spec: { myASN: 64500, dynamicASN: 'sideways', peerAddress: '192.0.2.1' } }, want: ['spec.dynamicASN: Unsupported value: "sideways"'] },
  { desc: 'peerAddress and interface both', kind: 'BGPPeer', body: peer({ interface: 'eth0' }), want: ['spec.interface: Forbidden: peerAddress and interface cannot both be set'] },
  { desc: 'neither peerAddress nor interface', kind: 'BGPPeer', body: { spec: { myASN: 64500, peerASN: 64501 } }, want: ['spec.peerAddress: Required value: give the address to connect to in peerAddress, or an interface'] },
  { desc: 'peerAddress not an IP', kind: 'BGPPeer', body: peer({ peerAddress: 'router.example' }), want: ['spec.peerAddress: Invalid value: "router.example": peerAddress must be an IP address'] },
  { desc: 'routerID not IPv4', kind: 'BGPPeer', body: peer({ routerID: 'fc00::1' }), want: ['spec.routerID: Invalid value: "fc00::1": routerID must be an IPv4 address'] },
  { desc: 'password and passwordSecret both', kind: 'BGPPeer', body: peer({ password: 'hunter2', passwordSecret: { name: 'bgp-auth' } }), want: ['spec.passwordSecret: Forbidden: password and passwordSecret cannot both be set'] },
  { desc: 'password with a line break', kind: 'BGPPeer', body: peer({ password: 'a\nb' }), want: ['spec.password: Invalid value: "a\\nb": password may not contain line breaks'] },
  { desc: 'holdTime of 2s', kind: 'BGPPeer', body: peer({ holdTime: '2s' }), want: ['spec.holdTime: Invalid value: "2s": holdTime must be 0 or at least 3s'] },
  { desc: 'holdTime not a duration', kind: 'BGPPeer', body: peer({ holdTime: 'ninety' }), want: ['spec.holdTime: Invalid value: "ninety": holdTime must be a duration'] },
  { desc: 'negative keepalive', kind: 'BGPPeer', body: peer({ keepaliveTime: '-1s' }), want: ['spec.keepaliveTime: Invalid value: "-1s": keepaliveTime may not be negative'] },
  { desc: 'keepalive longer than hold', kind: 'BGPPeer', body: peer({ holdTime: '9s', keepaliveTime: '10s' }), want: ['spec.keepaliveTime: Invalid value: keepaliveTime may not be longer than holdTime'] },
  { desc: 'keepalive alone under 1s', kind: 'BGPPeer', body: peer({ keepaliveTime: '500ms' }), want: ['spec.keepaliveTime: Invalid value: without holdTime the hold time is 3 × keepaliveTime'] },
  { desc: 'connectTime with milliseconds', kind: 'BGPPeer', body: peer({ connectTime: '1500ms' }), want: ['spec.connectTime: Invalid value: "1500ms": connectTime must be a whole number of seconds'] },
  { desc: 'connectTime over 65535s', kind: 'BGPPeer', body: peer({ connectTime: '65536s' }), want: ['spec.connectTime: Invalid value: "65536s": connectTime must be from 1s to 65535s'] },
  { desc: 'ebgpMultiHop on an iBGP session', kind: 'BGPPeer', body: peer({ peerASN: 64500, ebgpMultiHop: true }), want: ['spec.ebgpMultiHop: Invalid value: ebgpMultiHop is for eBGP peers'] },
  { desc: 'peerPort beyond 16384', kind: 'BGPPeer', body: peer({ peerPort: 16385 }), want: ['spec.peerPort: Invalid value: 16385'] },
  { desc: 'v1beta1: peerASN missing', kind: 'BGPPeer', version: 'v1beta1', body: { spec: { myASN: 64500, peerAddress: '192.0.2.1' } }, want: ['spec.peerASN: Required value'] },
  { desc: 'v1beta1: an expression without values', kind: 'BGPPeer', version: 'v1beta1', body: peer({ nodeSelectors: [expr({ operator: 'In', values: [] })] }), want: ['spec.nodeSelectors[0].matchExpressions[0].values: Invalid value: 0'] },
  { desc: 'aggregationLength 0', kind: 'BGPAdvertisement', body: { spec: { aggregationLength: 0 } }, want: ['spec.aggregationLength: Invalid value: 0'] },
  { desc: 'aggregationLength 33', kind: 'BGPAdvertisement', body: { spec: { aggregationLength: 33 } }, want: ['spec.aggregationLength: Invalid value: 33'] },
  { desc: 'aggregationLengthV6 129', kind: 'BGPAdvertisement', body: { spec: { aggregationLengthV6: 129 } }, want: ['spec.aggregationLengthV6: Invalid value: 129'] },
  { desc: 'negative localPref', kind: 'BGPAdvertisement', body: { spec: { localPref: -1 } }, want: ['spec.localPref: Invalid value: -1'] },
  { desc: 'standard community out of range', kind: 'BGPAdvertisement', body: { spec: { communities: ['65000:100', '65536:1'] } }, want: ['spec.communities[1]: Invalid value: "65536:1": each communities entry must be a community'] },
  { desc: 'large community out of range', kind: 'BGPAdvertisement', body: { spec: { communities: ['large:1:2:4294967296'] } }, want: ['spec.communities[0]: Invalid value: "large:1:2:4294967296"'] },
  { desc: 'aggregation with serviceSelectors', kind: 'BGPAdvertisement', body: { spec: { aggregationLength: 24, serviceSelectors: [{ matchLabels: { app: 'web' } }] } }, want: ['spec.aggregationLength: Invalid value: aggregationLength must stay 32 (no aggregation) when serviceSelectors are set'] },
  { desc: 'alias value not a community', kind: 'Community', body: { spec: { communities: [{ name: 'no-export', value: 'no-export' }] } }, want: ['spec.communities[0].value: Invalid value: value must be a community'] },
  { desc: 'alias without value', kind: 'Community', body: { spec: { communities: [{ name: 'empty' }] } }, want: ['spec.communities[0].value'] },
  // Issue 8 §6: what MetalLB's webhook refuses on one object, now in the CRDs.
  { desc: 'a reversed IPv4 range', kind: 'IPAddressPool', body: { spec: { addresses: ['10.5.0.9-10.5.0.1'] } }, want: ['spec.addresses[0]', 'range "10.5.0.9-10.5.0.1" runs backwards'] },
  { desc: 'a reversed IPv6 range', kind: 'IPAddressPool', body: { spec: { addresses: ['10.5.1.0/24', 'fc00::10 - fc00::f'] } }, want: ['spec.addresses[1]', 'range "fc00::10 - fc00::f" runs backwards'] },
  { desc: 'a reversed range in the first bit', kind: 'IPAddressPool', body: { spec: { addresses: ['128.0.0.0-127.255.255.255'] } }, want: ['runs backwards'] },
  { desc: 'a namespace listed twice', kind: 'IPAddressPool', body: { spec: { addresses: ['10.8.0.0/24'], serviceAllocation: { namespaces: ['a', 'b', 'a'] } } }, want: ['spec.serviceAllocation.namespaces[2]: Duplicate value: "a"'] },
  {
    desc: 'an invalid label key in matchLabels',
    kind: 'IPAddressPool',
    body: { spec: { addresses: ['10.9.0.0/24'], serviceAllocation: { serviceSelectors: [{ matchLabels: { 'bad key': 'x' } }] } } },
    want: ['spec.serviceAllocation.serviceSelectors[0].matchLabels: Invalid value', 'every matchLabels key must be a label key'],
  },
  {
    desc: 'an invalid label value in matchLabels',
    kind: 'L2Advertisement',
    body: { spec: { nodeSelectors: [{ matchLabels: { zone: 'not valid!' } }] } },
    want: ['spec.nodeSelectors[0].matchLabels', 'Invalid value: "not valid!"'],
  },
  { desc: 'an invalid key in an expression', kind: 'BGPAdvertisement', body: { spec: { nodeSelectors: [{ matchExpressions: [{ key: '-zone', operator: 'Exists' }] }] } }, want: ['spec.nodeSelectors[0].matchExpressions[0].key: Invalid value: "-zone"'] },
  {
    desc: 'an invalid value in an expression',
    kind: 'IPAddressPool',
    body: { spec: { addresses: ['10.10.0.0/24'], serviceAllocation: { namespaceSelectors: [{ matchExpressions: [{ key: 'team', operator: 'In', values: ['a', 'x'.repeat(64)] }] }] } } },
    want: ['spec.serviceAllocation.namespaceSelectors[0].matchExpressions[0].values[1]'],
  },
  { desc: 'L2: a pool listed twice', kind: 'L2Advertisement', body: { spec: { ipAddressPools: ['a', 'a'] } }, want: ['spec.ipAddressPools[1]: Duplicate value: "a"'] },
  { desc: 'BGP: a pool listed twice', kind: 'BGPAdvertisement', body: { spec: { ipAddressPools: ['a', 'b', 'b'] } }, want: ['spec.ipAddressPools[2]: Duplicate value: "b"'] },
  { desc: 'BGP: a peer listed twice', kind: 'BGPAdvertisement', body: { spec: { peers: ['r1', 'r1'] } }, want: ['spec.peers[1]: Duplicate value: "r1"'] },
  { desc: 'BGP: a community listed twice', kind: 'BGPAdvertisement', body: { spec: { communities: ['65000:1', '65000:1'] } }, want: ['spec.communities[1]: Duplicate value: "65000:1"'] },
  {
    desc: 'an alias defined twice in one Community',
    kind: 'Community',
    body: { spec: { communities: [{ name: 'edge', value: '65000:1' }, { name: 'core', value: '65000:2' }, { name: 'edge', value: '65000:3' }] } },
    want: ['spec.communities: Invalid value', 'an alias name is defined twice'],
  },
  { desc: 'localASN 0', kind: 'BGPPeer', body: peer({ localASN: 0 }), want: ['spec.localASN: Invalid value: 0: localASN 0 is not an AS number'] },
]

const accepted: readonly Row[] = [
  { desc: 'a range with spaces around the dash', kind: 'IPAddressPool', body: { spec: { addresses: [' 10.3.0.1 - 10.3.0.9 ', '10.3.1.0/24'] } } },
  { desc: 'a negative priority (MetalLB takes any int)', kind: 'IPAddressPool', body: { spec: { addresses: ['10.4.0.0/24'], serviceAllocation: { priority: -5, namespaces: ['a'] } } } },
  { desc: 'Exists and DoesNotExist without values', kind: 'L2Advertisement', body: { spec: { nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'DoesNotExist', values: [] }] }] } } },
  {
    desc: 'preference weights 1 and 100, an empty preference',
    kind: 'L2Advertisement',
    body: { spec: { preferredNodeSelectors: [{ weight: 1, preference: {} }, { weight: 100, preference: { matchLabels: { zone: 'a' } } }] } },
  },
  { desc: 'BFD bounds themselves', kind: 'BFDProfile', body: { spec: { receiveInterval: 10, transmitInterval: 60000, detectMultiplier: 255, minimumTtl: 1, echoInterval: 10 } } },
  { desc: 'a 4-byte AS number', kind: 'BGPPeer', body: peer({ myASN: 4294967295, peerASN: 4200000000 }) },
  { desc: 'dynamicASN and an interface', kind: 'BGPPeer', body: { spec: { myASN: 64500, dynamicASN: 'internal', interface: 'eth1' } } },
  { desc: 'timers of 0 and whole-second connect time', kind: 'BGPPeer', body: peer({ holdTime: '0s', keepaliveTime: '0', connectTime: '1m' }) },
  { desc: 'keepalive alone of 1s (hold 3s)', kind: 'BGPPeer', body: peer({ keepaliveTime: '1s' }) },
  { desc: 'an IPv6 peer with a zero-padded group', kind: 'BGPPeer', body: peer({ peerAddress: 'fc00:f853:0ccd:e799::1', sourceAddress: ' 192.0.2.10 ' }) },
  { desc: 'v1beta1 peer', kind: 'BGPPeer', version: 'v1beta1', body: peer({ holdTime: '90s', keepaliveTime: '30s' }) },
  { desc: 'communities, aliases and leading zeros', kind: 'BGPAdvertisement', body: { spec: { communities: ['65535:65535', 'large:4294967295:0:1', 'no-export', '065000:0100'], localPref: 4294967295 } } },
  { desc: 'serviceSelectors with default lengths', kind: 'BGPAdvertisement', body: { spec: { aggregationLength: 32, serviceSelectors: [{ matchLabels: { app: 'web' } }] } } },
  { desc: 'alias of a large community', kind: 'Community', body: { spec: { communities: [{ name: 'big', value: 'large:64512:1:2' }] } } },
  {
    desc: 'ranges in order: one address, the last bit, across a byte, IPv6, the whole IPv4 space',
    kind: 'IPAddressPool',
    body: { spec: { addresses: ['10.11.0.5-10.11.0.5', '10.11.1.0-10.11.1.1', '10.11.2.255-10.11.3.0', 'fc00::1-fc00::10', '0.0.0.0-255.255.255.255'] } },
  },
  { desc: 'adjacent CIDRs and both families', kind: 'IPAddressPool', body: { spec: { addresses: ['10.12.0.0/25', '10.12.0.128/25', 'fc00:1::/64', '10.12.1.0/24'] } } },
  {
    desc: 'prefixed label keys, empty label values',
    kind: 'L2Advertisement',
    body: { spec: { nodeSelectors: [{ matchLabels: { 'topology.kubernetes.io/zone': 'a', tier: '' }, matchExpressions: [{ key: 'example.com/x_y.z', operator: 'In', values: ['', 'A-1'] }] }] } },
  },
  { desc: 'pools, peers, communities and aliases each once', kind: 'BGPAdvertisement', body: { spec: { ipAddressPools: ['a', 'b'], peers: ['r1', 'r2'], communities: ['65000:1', '65000:2'] } } },
  { desc: 'distinct alias names', kind: 'Community', body: { spec: { communities: [{ name: 'a', value: '65000:1' }, { name: 'b', value: '65000:1' }] } } },
  { desc: 'localASN set', kind: 'BGPPeer', body: peer({ localASN: 65010 }) },
]

const versionOf = (r: Row): Version => r.version ?? (r.kind === 'BGPPeer' ? 'v1beta2' : 'v1beta1')
const objectName = (r: Row, i: number): string => `${r.kind.toLowerCase()}-${i}`

t.test('refused by the API server, naming the field', async (t) => {
  for (const [i, row] of rejected.entries()) {
    const r = await kubectl(['apply', '-f', '-'], mkObject(versionOf(row), row.kind, objectName(row, i), ns, row.body))
    t.not(r.code, 0, `${row.desc}: refused`)
    for (const w of row.want ?? []) t.ok(r.stderr.includes(w), `${row.desc}: ${JSON.stringify(w)} in\n${r.stderr}`)
  }
})

t.test('nothing refused was stored', async (t) => {
  const kinds = [...new Set(rejected.map((r) => `${r.kind.toLowerCase()}s.metallb.io`.replace('ys.', 'ies.')))]
  for (const k of kinds) {
    const r = await kubectl(['get', k, '-n', ns, '-o', 'name'])
    t.equal(r.stdout.trim(), '', k)
  }
})

t.test('accepted near the edges', async (t) => {
  for (const [i, row] of accepted.entries()) {
    const r = await kubectl(['apply', '-f', '-'], mkObject(versionOf(row), row.kind, `ok-${objectName(row, i)}`, ns, row.body))
    t.equal(r.code, 0, `${row.desc}: ${r.stderr}`)
  }
})
