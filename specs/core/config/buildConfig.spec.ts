import t from 'tap'
import fc from 'fast-check'
import { buildConfig } from '../../../core/config/buildConfig.js'
import type { ConfigResult } from '../../../core/model/config.js'
import { NS, build, configOf, errorsOf, lines, mkBfd, mkBgpAdv, mkCommunity, mkGoodPeer, mkL2, mkPool, mkPoolOf } from './mk.js'

const seed = {
  apiVersion: 'metallb.io/v1beta1',
  kind: 'IPAddressPool',
  metadata: { name: 'first-pool', namespace: 'metallb-system' },
  spec: { addresses: ['192.168.10.0/24', '192.168.9.1-192.168.9.5', 'fc00:f853:0ccd:e799::/124'] },
}

t.test('the seed IPAddressPool is a valid config with three ranges', async (t) => {
  const r = buildConfig([seed], { namespace: 'metallb-system' })
  t.equal(r._tag, 'Valid')
  t.equal(configOf(r)?.pools.get('first-pool' as never)?.ranges.length, 3)
})

t.test('an empty namespace is an empty, valid config', async (t) => {
  const r = build([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }])
  t.same(configOf(r) && { ...configOf(r), pools: [...(configOf(r)?.pools ?? [])] }, {
    pools: [],
    l2Advertisements: [],
    bgpAdvertisements: [],
    bgpPeers: [],
    bfdProfiles: new Map(),
    communities: new Map(),
  })
})

const full = [
  mkPool('b-pool', ['10.0.1.0/24']),
  mkPool('a-pool', ['10.0.0.0/24', 'fc00::/120']),
  mkL2('l2', { ipAddressPools: ['a-pool'] }),
  mkBgpAdv('z-adv', { ipAddressPools: ['b-pool'], communities: ['edge'] }),
  mkBgpAdv('a-adv', { aggregationLength: 24, aggregationLengthV6: 120, localPref: 50 }),
  mkGoodPeer('r2', { bfdProfile: 'slow' }),
  mkGoodPeer('r1', { peerAddress: '192.0.2.2' }),
  mkBfd('slow', { receiveInterval: 1000 }),
  mkCommunity('aliases', { communities: [{ name: 'edge', value: '65000:1' }] }),
]

t.test('a config using every kind', async (t) => {
  const config = configOf(build(full))
  t.same([...(config?.pools.keys() ?? [])], ['a-pool', 'b-pool'])
  t.same(config?.bgpAdvertisements.map((a) => a.name), ['a-adv', 'z-adv'], 'sorted by name')
  t.same(config?.bgpPeers.map((p) => p.name), ['r1', 'r2'])
  t.same(config?.l2Advertisements.map((a) => a.pools), [['a-pool']])
  t.same([...(config?.bfdProfiles.keys() ?? [])], ['slow'])
})

const stable = (r: ConfigResult): string =>
  JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? [...v.entries()] : v))

t.test('the result does not depend on the order of the objects', async (t) => {
  fc.assert(fc.property(fc.shuffledSubarray(full, { minLength: full.length, maxLength: full.length }), (objects) => stable(build(objects)) === stable(build(full))))
  t.pass('order independent')
})

const KINDS = ['IPAddressPool', 'L2Advertisement', 'BGPAdvertisement', 'BGPPeer', 'BFDProfile', 'Community'] as const
const FIELDS: Readonly<Record<(typeof KINDS)[number], readonly string[]>> = {
  IPAddressPool: ['addresses', 'autoAssign', 'avoidBuggyIPs', 'serviceAllocation'],
  L2Advertisement: ['ipAddressPools', 'ipAddressPoolSelectors', 'nodeSelectors', 'interfaces', 'serviceSelectors'],
  BGPAdvertisement: ['aggregationLength', 'aggregationLengthV6', 'localPref', 'communities', 'ipAddressPools', 'ipAddressPoolSelectors', 'nodeSelectors', 'peers'],
  BGPPeer: ['myASN', 'peerASN', 'dynamicASN', 'peerAddress', 'interface', 'holdTime', 'keepaliveTime', 'connectTime', 'routerID', 'nodeSelectors', 'password', 'passwordSecret', 'bfdProfile', 'ebgpMultiHop'],
  BFDProfile: ['receiveInterval', 'transmitInterval', 'detectMultiplier', 'echoInterval', 'echoMode', 'passiveMode', 'minimumTtl'],
  Community: ['communities'],
}

// Values that look like what a user would write, mixed with anything at all.
const plausible: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom('10.0.0.0/24', '10.0.0.1-10.0.0.9', 'fc00::/120', '10.0.0.1', '90s', '1m', 'internal', '65000:1', 'large:1:2:3', 'x'),
  fc.integer({ min: -5, max: 70000 }),
  fc.array(fc.constantFrom('10.0.0.0/24', '10.0.0.0/25', 'p0', 'p1', '65000:1', 'eth0', 'no')),
  fc.array(
    fc.record(
      {
        matchLabels: fc.dictionary(fc.constantFrom('a', 'zone', 'bad key'), fc.constantFrom('x', '-bad')),
        matchExpressions: fc.array(
          fc.record({ key: fc.constantFrom('a', 'b'), operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Nope'), values: fc.array(fc.constantFrom('1', '2')) }, { requiredKeys: ['key', 'operator'] }),
        ),
      },
      { requiredKeys: [] },
    ),
  ),
  fc.record({ namespaces: fc.array(fc.string()), priority: fc.integer() }, { requiredKeys: [] }),
  fc.array(fc.record({ name: fc.constantFrom('edge', 'x'), value: fc.constantFrom('1:1', 'bad', 'large:1:2:3') }, { requiredKeys: [] })),
)

const kindShaped: fc.Arbitrary<unknown> = fc.constantFrom(...KINDS).chain((kind) =>
  fc.record({
    apiVersion: fc.constantFrom('metallb.io/v1beta1', 'metallb.io/v1beta2', 'metallb.io/v9'),
    kind: fc.constant(kind),
    metadata: fc.oneof(
      fc.record({ name: fc.constantFrom('p0', 'p1', 'r1', ''), namespace: fc.constantFrom(NS, NS, 'other') }, { requiredKeys: ['name'] }),
      fc.jsonValue(),
    ),
    spec: fc.oneof(fc.dictionary(fc.constantFrom(...FIELDS[kind]), plausible), fc.jsonValue()),
  }),
)

const wellFormed = (r: ConfigResult): boolean =>
  r._tag === 'Valid' ||
  (r.errors.length > 0 &&
    r.errors.every((e) => e.kind !== '' && e.namespace === NS && e.name !== '' && typeof e.field === 'string' && e.message !== ''))

t.test('never throws on any JSON value', async (t) => {
  fc.assert(fc.property(fc.array(fc.jsonValue()), (objects) => wellFormed(build(objects))))
  t.pass('total')
})

t.test('never throws on objects shaped like MetalLB kinds, and every error names its object', async (t) => {
  fc.assert(fc.property(fc.array(kindShaped, { maxLength: 6 }), (objects) => wellFormed(build(objects))), { numRuns: 500 })
  t.pass('total')
})

// Objects broken in ways that do not touch each other (distinct names, no shared addresses).
const broken: ReadonlyArray<(n: number) => unknown> = [
  (n) => mkPool(`pool-${n}`, [`10.${n}.0.5`]),
  (n) => mkPoolOf(`pool-${n}`, { addresses: [`10.${n}.0.0/24`, 5] }),
  (n) => mkL2(`l2-${n}`, { nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] }),
  (n) => mkBgpAdv(`adv-${n}`, { communities: [`unknown-alias-${n}`] }),
  (n) => mkGoodPeer(`peer-${n}`, { peerAddress: `10.${n}.0.300` }),
  (n) => mkGoodPeer(`peer-${n}`, { holdTime: 'soon', peerAddress: `192.0.2.${n}` }),
  (n) => mkBfd(`bfd-${n}`, { detectMultiplier: 1 }),
  (n) => mkCommunity(`community-${n}`, { communities: [{ name: `alias-${n}`, value: '1:99999' }] }),
  (n) => ({ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: `bfd-${n}` }, spec: 'fast' }),
]

t.test('an invalid config lists the errors of every broken object', async (t) => {
  const pick = fc.tuple(fc.integer({ min: 0, max: broken.length - 1 }), fc.integer({ min: 0, max: broken.length - 1 }))
  fc.assert(
    fc.property(pick, fc.boolean(), ([i, j], swap) => {
      const a = broken[i]?.(1)
      const b = broken[j]?.(2)
      const alone = [...lines(build([a])), ...lines(build([b]))]
      const together = lines(build(swap ? [b, a] : [a, b]))
      return alone.length >= 2 && alone.every((l) => together.includes(l)) && together.length === alone.length
    }),
  )
  t.pass('no error hides another')
})

t.test('errors name kind, namespace, name and field', async (t) => {
  const [e] = errorsOf(build([mkPool('first-pool', ['192.168.10.0/24', '192.168.10.5'])]))
  t.same(e, {
    kind: 'IPAddressPool',
    namespace: 'metallb-system',
    name: 'first-pool',
    field: 'spec.addresses[1]',
    message: '"192.168.10.5" is neither a CIDR nor a range (a single address needs /32 or /128)',
  })
})

t.test('a decode failure does not hide rule errors of other objects', async (t) => {
  const r = build([
    mkPool('a', ['10.0.0.0/24']),
    mkPool('b', ['10.0.0.128/25']),
    mkGoodPeer('r', { myASN: 'many' }),
    mkBgpAdv('adv', { aggregationLength: 8 }),
  ])
  t.same(lines(r), [
    'IPAddressPool/b spec.addresses[0]: "10.0.0.128/25" overlaps "10.0.0.0/24" in pool "a"',
    'BGPAdvertisement/adv spec.aggregationLength: 8 aggregates beyond pool "a": its entry "10.0.0.0/24" contains a /24, so the length must be at least 24',
    'BGPAdvertisement/adv spec.aggregationLength: 8 aggregates beyond pool "b": its entry "10.0.0.128/25" contains a /25, so the length must be at least 25',
    'BGPPeer/r spec.myASN: expected a whole number, got "many"',
  ])
})

t.test('duplicate names are reported for every kind', async (t) => {
  t.same(lines(build([mkL2('x'), mkL2('x'), mkBfd('y'), mkBfd('y')])), [
    'L2Advertisement/x metadata.name: another L2Advertisement named "x" is already defined in metallb-system',
    'BFDProfile/y metadata.name: another BFDProfile named "y" is already defined in metallb-system',
  ])
  t.equal(build([mkL2('x'), mkBfd('x')])._tag, 'Valid', 'the same name in two kinds is fine')
})

t.test('objects in other namespaces are not part of the config', async (t) => {
  const r = buildConfig([mkPool('a', ['10.0.0.0/24']), { ...mkPool('b', ['10.0.0.0/24']), metadata: { name: 'b', namespace: 'elsewhere' } }], {
    namespace: NS,
  })
  t.same([...(configOf(r)?.pools.keys() ?? [])], ['a'])
  const other = buildConfig([mkPool('a', ['10.0.0.0/24'])], { namespace: 'elsewhere' })
  t.same([...(configOf(other)?.pools.keys() ?? [])], [], 'the namespace option decides')
})
