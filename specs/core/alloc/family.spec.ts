// Address families: SingleStack takes the first family, RequireDualStack needs both from one pool,
// PreferDualStack takes both when one pool gives both and one otherwise (MetalLB's
// findBestPoolForService and selectIPsForFamilyAndPolicy), status lists IPv4 first.
import t from 'tap'
import { familyNeedOf, heldFitsNeed } from '../../../core/alloc/family.js'
import { ip, mkPool, mkService } from './mk.js'
import { type Row, runTable } from './table.js'

t.test('familyNeedOf', async (t) => {
  const cases = [
    { desc: 'SingleStack takes the first family', in: mkService('a', { ipFamilies: [6, 4], ipFamilyPolicy: 'SingleStack' }), want: { _tag: 'Single', family: 6 } },
    { desc: 'PreferDualStack with two families', in: mkService('a', { ipFamilies: [6, 4], ipFamilyPolicy: 'PreferDualStack' }), want: { _tag: 'Dual', primary: 6, required: false } },
    { desc: 'RequireDualStack', in: mkService('a', { ipFamilies: [4, 6], ipFamilyPolicy: 'RequireDualStack' }), want: { _tag: 'Dual', primary: 4, required: true } },
    { desc: 'PreferDualStack on a single-stack cluster gets one family', in: mkService('a', { ipFamilies: [4], ipFamilyPolicy: 'PreferDualStack' }), want: { _tag: 'Single', family: 4 } },
    { desc: 'falls back to the clusterIPs families', in: mkService('a', { ipFamilies: [], clusterIPFamilies: [6] }), want: { _tag: 'Single', family: 6 } },
    { desc: 'no family at all', in: mkService('a', { ipFamilies: [], clusterIPFamilies: [] }), want: undefined },
  ] as const
  for (const c of cases) t.same(familyNeedOf(c.in), c.want, c.desc)
})

t.test('heldFitsNeed', async (t) => {
  const single4 = { _tag: 'Single', family: 4 } as const
  const prefer = { _tag: 'Dual', primary: 4, required: false } as const
  const require = { _tag: 'Dual', primary: 4, required: true } as const
  const cases = [
    { desc: 'one IPv4 for IPv4', in: { ips: ['192.0.2.1'], need: single4 }, want: true },
    { desc: 'IPv6 for IPv4', in: { ips: ['2001:db8::1'], need: single4 }, want: false },
    { desc: 'two for single stack', in: { ips: ['192.0.2.1', '2001:db8::1'], need: single4 }, want: false },
    { desc: 'one family for PreferDualStack', in: { ips: ['2001:db8::1'], need: prefer }, want: true },
    { desc: 'one family for RequireDualStack', in: { ips: ['192.0.2.1'], need: require }, want: false },
    { desc: 'two of one family', in: { ips: ['192.0.2.1', '192.0.2.2'], need: prefer }, want: false },
    { desc: 'both families', in: { ips: ['2001:db8::1', '192.0.2.1'], need: require }, want: true },
  ]
  for (const c of cases) t.equal(heldFitsNeed(c.in.ips.map(ip), c.in.need), c.want, c.desc)
})

const v4 = mkPool('a-v4', ['192.0.2.0/30'])
const v6 = mkPool('b-v6', ['2001:db8::/126'])
const dual = mkPool('c-dual', ['198.51.100.0/30', '2001:db8:1::/126'])
const dual6 = (name: string, policy: 'PreferDualStack' | 'RequireDualStack', primary: 4 | 6 = 4) =>
  mkService(name, { ipFamilies: primary === 4 ? [4, 6] : [6, 4], ipFamilyPolicy: policy })

const rows: Row[] = [
  {
    desc: 'single stack follows the family',
    in: { pools: [v4, v6], services: [mkService('four'), mkService('six', { ipFamilies: [6] })] },
    want: { four: '192.0.2.0@a-v4', six: '2001:db8::@b-v6' },
  },
  {
    desc: 'RequireDualStack takes both from one pool, IPv4 listed first',
    in: { pools: [v4, v6, dual], services: [dual6('req', 'RequireDualStack', 6)] },
    want: { req: '198.51.100.0,2001:db8:1::@c-dual' },
  },
  {
    desc: 'RequireDualStack with the families only in different pools stays pending',
    in: { pools: [v4, v6], services: [dual6('req', 'RequireDualStack')] },
    want: { req: 'Pending:NoPoolForFamily' },
    says: { req: 'both IPv4 and IPv6' },
  },
  {
    desc: 'RequireDualStack when the dual pool has run out of IPv6',
    in: {
      pools: [dual],
      services: [...['::', '::1', '::2', '::3'].map((h, i) => mkService(`v6-${i}`, { ipFamilies: [6], holds: [`2001:db8:1${h}`] })), dual6('req', 'RequireDualStack')],
    },
    want: { req: 'Pending:NoAvailableIPs' },
    says: { req: 'c-dual' },
  },
  {
    desc: 'PreferDualStack takes both when one pool gives both',
    in: { pools: [v4, dual], services: [dual6('pref', 'PreferDualStack')] },
    want: { pref: '198.51.100.0,2001:db8:1::@c-dual' },
  },
  {
    desc: 'PreferDualStack with no pool giving both takes the primary family',
    in: { pools: [v4, v6], services: [dual6('pref4', 'PreferDualStack', 4), dual6('pref6', 'PreferDualStack', 6)] },
    want: { pref4: '192.0.2.0@a-v4', pref6: '2001:db8::@b-v6' },
  },
  {
    desc: 'PreferDualStack falls back to the other family when the primary has none',
    in: { pools: [v6], services: [dual6('pref', 'PreferDualStack', 4)] },
    want: { pref: '2001:db8::@b-v6' },
  },
  {
    desc: 'PreferDualStack holding one family gains the other from the same pool',
    in: { pools: [dual], services: [dual6('pref', 'PreferDualStack', 4), mkService('x', { holds: [] })].map((s) => (s.name === 'pref' ? { ...s, ingressIPs: [ip('198.51.100.2')] } : s)) },
    want: { pref: '198.51.100.2,2001:db8:1::@c-dual', x: '198.51.100.0@c-dual' },
  },
  {
    // The pair would no longer equal the request, and the next pass would release both.
    desc: 'PreferDualStack holding the one IP it requested keeps it and gains nothing',
    in: { pools: [dual], services: [{ ...dual6('pref', 'PreferDualStack', 4), request: { _tag: 'Specific', ips: [ip('198.51.100.2')] }, ingressIPs: [ip('198.51.100.2')] }] },
    want: { pref: '198.51.100.2@c-dual' },
  },
  {
    desc: 'RequireDualStack holding one family is re-allocated',
    in: { pools: [dual], services: [{ ...dual6('req', 'RequireDualStack'), ingressIPs: [ip('198.51.100.2')] }] },
    want: { req: '198.51.100.0,2001:db8:1::@c-dual' },
  },
  {
    desc: 'unknown family stays pending',
    in: { pools: [v4], services: [mkService('none', { ipFamilies: [], clusterIPFamilies: [] })] },
    want: { none: 'Pending:UnknownIPFamily' },
  },
  {
    desc: 'a held IP of the wrong family is dropped and replaced',
    in: { pools: [v4, v6], services: [mkService('moved', { holds: ['2001:db8::3'] })] },
    want: { moved: '192.0.2.0@a-v4' },
  },
]

t.test('dual-stack examples', async (t) => runTable(t, rows))
