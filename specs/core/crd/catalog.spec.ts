// Properties of the nine CRDs as a whole: what MetalLB v0.16 has (names, versions, subresources,
// printer columns), what the API server insists on (structural schemas, formats it enforces), and
// that the decorations come from the codec modules' exports rather than copies of them.
import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { AGGREGATION_LENGTH, AGGREGATION_LENGTH_V6 } from '../../../core/config/bgpAdvertisementCodec.js'
import { PEER_PORT, bgpPeerDescriptions } from '../../../core/config/bgpPeerCodec.js'
import { IP_ADDRESS_POOL_DEFAULTS, ipAddressPoolDescriptions } from '../../../core/config/ipAddressPoolCodec.js'
import { PREFERENCE_WEIGHT } from '../../../core/config/l2AdvertisementCodec.js'
import { CONFIG_KIND_DEFS, KINDS, STATUS_KIND_DEFS, buildCrds, isConfigKind, isStatusKind, servedVersions, storageVersion } from '../../../core/crd/catalog.js'
import type { CustomResourceDefinition } from '../../../core/crd/crd.js'
import type { Schema } from '../../../core/crd/openApi.js'
import { allSchemas } from './mkSchema.js'

const built = buildCrds()
const crds: readonly CustomResourceDefinition[] = E.isRight(built) ? built.right.map((d) => d.crd) : []

const crd = (kind: string): CustomResourceDefinition => {
  const found = crds.find((c) => c.spec.names.kind === kind)
  if (found === undefined) throw new Error(`no CRD for ${kind}`)
  return found
}
const rootOf = (kind: string, version: string): Schema => {
  const v = crd(kind).spec.versions.find((x) => x.name === version)
  if (v === undefined) throw new Error(`${kind} has no ${version}`)
  return v.schema.openAPIV3Schema
}
const at = (s: Schema, path: string): Schema | undefined => allSchemas(s).find((l) => l.path === path)?.schema

t.test('every definition derives without problems', async (t) => {
  t.same(E.isLeft(built) ? built.left : [], [])
})

t.test('the nine MetalLB kinds, namespaced, in group metallb.io', async (t) => {
  t.same(
    crds.map((c) => [c.metadata.name, c.spec.names.kind, c.spec.names.singular, c.spec.names.listKind]),
    [
      ['ipaddresspools.metallb.io', 'IPAddressPool', 'ipaddresspool', 'IPAddressPoolList'],
      ['l2advertisements.metallb.io', 'L2Advertisement', 'l2advertisement', 'L2AdvertisementList'],
      ['bgpadvertisements.metallb.io', 'BGPAdvertisement', 'bgpadvertisement', 'BGPAdvertisementList'],
      ['bgppeers.metallb.io', 'BGPPeer', 'bgppeer', 'BGPPeerList'],
      ['bfdprofiles.metallb.io', 'BFDProfile', 'bfdprofile', 'BFDProfileList'],
      ['communities.metallb.io', 'Community', 'community', 'CommunityList'],
      ['servicel2statuses.metallb.io', 'ServiceL2Status', 'servicel2status', 'ServiceL2StatusList'],
      ['servicebgpstatuses.metallb.io', 'ServiceBGPStatus', 'servicebgpstatus', 'ServiceBGPStatusList'],
      ['configurationstates.metallb.io', 'ConfigurationState', 'configurationstate', 'ConfigurationStateList'],
    ],
  )
  for (const c of crds) {
    t.equal(c.spec.group, 'metallb.io')
    t.equal(c.spec.scope, 'Namespaced')
    t.ok(c.spec.versions.every((v) => v.subresources !== undefined), `${c.spec.names.kind}: status subresource, as in MetalLB`)
  }
})

t.test('BGPPeer serves v1beta1 (deprecated) and v1beta2 (stored), converted with None', async (t) => {
  const peer = crd('BGPPeer')
  t.same(
    peer.spec.versions.map((v) => [v.name, v.served, v.storage, v.deprecated ?? false]),
    [
      ['v1beta1', true, false, true],
      ['v1beta2', true, true, false],
    ],
  )
  t.same(peer.spec.conversion, { strategy: 'None' })
  for (const c of crds.filter((x) => x.spec.names.kind !== 'BGPPeer'))
    t.same(c.spec.versions.map((v) => [v.name, v.storage]), [['v1beta1', true]], c.spec.names.kind)
})

t.test('with conversion None, a v1beta1 peer is a valid shape in v1beta2: same names, same types', async (t) => {
  const v1 = allSchemas(rootOf('BGPPeer', 'v1beta1'))
  const v2 = new Map(allSchemas(rootOf('BGPPeer', 'v1beta2')).map((l) => [l.path, l.schema]))
  for (const { path, schema } of v1) {
    const other = v2.get(path)
    t.ok(other !== undefined, `${path || '(root)'} exists in v1beta2`)
    t.equal(other?.type, schema.type, `${path || '(root)'} has one type`)
  }
  const v2Required = rootOf('BGPPeer', 'v1beta2').properties?.['spec']?.required ?? []
  const v1Required = rootOf('BGPPeer', 'v1beta1').properties?.['spec']?.required ?? []
  t.ok(v2Required.every((r) => v1Required.includes(r)), 'v1beta2 requires nothing v1beta1 may leave out')
})

t.test('printer columns point at fields of the schema', async (t) => {
  for (const c of crds)
    for (const v of c.spec.versions)
      for (const col of v.additionalPrinterColumns ?? []) {
        if (col.jsonPath === '.metadata.creationTimestamp') continue
        t.ok(at(v.schema.openAPIV3Schema, col.jsonPath.slice(1)) !== undefined, `${c.spec.names.kind} ${v.name}: ${col.jsonPath}`)
      }
})

t.test('defaults and descriptions come from the codec modules', async (t) => {
  const pool = rootOf('IPAddressPool', 'v1beta1')
  t.equal(at(pool, 'spec.autoAssign')?.default, IP_ADDRESS_POOL_DEFAULTS.autoAssign)
  t.equal(at(pool, 'spec.avoidBuggyIPs')?.default, IP_ADDRESS_POOL_DEFAULTS.avoidBuggyIPs)
  for (const [path, text] of Object.entries(ipAddressPoolDescriptions)) t.equal(at(pool, path)?.description, text, path)
  const adv = rootOf('BGPAdvertisement', 'v1beta1')
  t.equal(at(adv, 'spec.aggregationLength')?.default, AGGREGATION_LENGTH.default)
  t.equal(at(adv, 'spec.aggregationLengthV6')?.default, AGGREGATION_LENGTH_V6.default)
  const peer = rootOf('BGPPeer', 'v1beta2')
  t.equal(at(peer, 'spec.peerPort')?.default, PEER_PORT.default)
  for (const [path, text] of Object.entries(bgpPeerDescriptions)) t.equal(at(peer, path)?.description, text, path)
})

t.test('L2Advertisement preferredNodeSelectors: MetalLB\'s shape, weight 1..100, both fields required', async (t) => {
  const l2 = rootOf('L2Advertisement', 'v1beta1')
  const item = at(l2, 'spec.preferredNodeSelectors[]')
  t.same(item?.required, ['weight', 'preference'])
  const weight = at(l2, 'spec.preferredNodeSelectors[].weight')
  t.same([weight?.type, weight?.format, weight?.minimum, weight?.maximum], ['integer', 'int32', PREFERENCE_WEIGHT.min, PREFERENCE_WEIGHT.max])
  t.equal(at(l2, 'spec.preferredNodeSelectors[].preference')?.['x-kubernetes-map-type'], 'atomic', 'a preference is replaced whole, like any selector')
  t.ok(at(l2, 'spec.preferredNodeSelectors')?.maxItems !== undefined, 'the list is bounded')
})

t.test('IPAddressPool status: four required int64 counters', async (t) => {
  const status = at(rootOf('IPAddressPool', 'v1beta1'), 'status')
  t.same(status?.required, ['assignedIPv4', 'assignedIPv6', 'availableIPv4', 'availableIPv6'])
  for (const f of status?.required ?? []) t.same([status?.properties?.[f]?.type, status?.properties?.[f]?.format], ['integer', 'int64'], f)
})

// Kubernetes 1.36 refuses, on every write, an int32 field whose bounds do not fit an int32 (MetalLB's
// own AS number fields would fail this).
t.test('formats fit their bounds', async (t) => {
  const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 }
  for (const c of crds)
    for (const v of c.spec.versions)
      for (const { path, schema } of allSchemas(v.schema.openAPIV3Schema))
        if (schema.format === 'int32')
          t.ok((schema.minimum ?? 0) >= INT32.min && (schema.maximum ?? 0) <= INT32.max, `${c.spec.names.kind} ${path}`)
})

t.test('every selector list is bounded and every requirement carries the operator rules', async (t) => {
  let seen = 0
  for (const c of crds)
    for (const v of c.spec.versions)
      for (const { path, schema } of allSchemas(v.schema.openAPIV3Schema)) {
        if (schema.properties?.['matchExpressions'] === undefined) continue
        seen++
        const requirement = schema.properties['matchExpressions'].items
        const rules = (requirement?.['x-kubernetes-validations'] ?? []).map((r) => r.fieldPath)
        t.same(rules, ['.operator', '.values', '.values'], `${c.spec.names.kind} ${v.name} ${path}`)
        t.ok(schema.properties['matchExpressions'].maxItems !== undefined, `${path}.matchExpressions bounded`)
      }
  // pool: 2, L2: 3 lists and the preference of preferredNodeSelectors, BGP advertisement: 3, peer: 1
  // per version, 2 versions
  t.equal(seen, 11, 'every label selector of every kind')
})

t.test('every rule explains itself and metadata is left to the API server', async (t) => {
  for (const c of crds)
    for (const v of c.spec.versions) {
      t.same(v.schema.openAPIV3Schema.properties?.['metadata'], { type: 'object' }, `${c.spec.names.kind} metadata`)
      for (const { path, schema } of allSchemas(v.schema.openAPIV3Schema))
        for (const r of schema['x-kubernetes-validations'] ?? [])
          t.ok((r.message ?? r.messageExpression ?? '') !== '', `${c.spec.names.kind} ${path}: ${r.rule}`)
    }
})

t.test('the catalog lists each kind once', async (t) => {
  t.equal(new Set(KINDS.map((k) => k.kind)).size, 9)
})

t.test('the catalog splits its kinds into configuration and status', async (t) => {
  t.same(
    CONFIG_KIND_DEFS.map((k) => [k.kind, servedVersions(k), storageVersion(k)]),
    [
      ['IPAddressPool', ['v1beta1'], 'v1beta1'],
      ['L2Advertisement', ['v1beta1'], 'v1beta1'],
      ['BGPAdvertisement', ['v1beta1'], 'v1beta1'],
      ['BGPPeer', ['v1beta2', 'v1beta1'], 'v1beta2'],
      ['BFDProfile', ['v1beta1'], 'v1beta1'],
      ['Community', ['v1beta1'], 'v1beta1'],
    ],
  )
  t.same(STATUS_KIND_DEFS.map((k) => k.kind), ['ServiceL2Status', 'ServiceBGPStatus', 'ConfigurationState'])
  t.same(KINDS, [...CONFIG_KIND_DEFS, ...STATUS_KIND_DEFS])
  const rows = [
    { in: 'BGPPeer', want: [true, false] },
    { in: 'ConfigurationState', want: [false, true] },
    { in: 'AddressPool', want: [false, false] },
    { in: 'Service', want: [false, false] },
  ]
  for (const r of rows) t.same([isConfigKind(r.in), isStatusKind(r.in)], r.want, r.in)
})
