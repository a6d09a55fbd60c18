// IP sharing (metallb.io/allow-shared-ip), as MetalLB documents and checks it: same key, no
// (protocol, port) used twice, and both Cluster policy or identical selectors. Automatic allocation
// takes the lowest address that is free or shareable, in address order, as MetalLB's getIPFromCIDR.
import t from 'tap'
import { type Claimant, sharingVerdict } from '../../../core/alloc/sharing.js'
import type { ServiceKey } from '../../../core/model/names.js'
import { mkPool, mkService } from './mk.js'
import { type Row, runTable } from './table.js'

const pool = mkPool('p', ['192.0.2.0/30'])
const tcp = (port: number) => [{ protocol: 'TCP' as const, port }]
const shared = (name: string, port: number, o: Parameters<typeof mkService>[1] = {}) => mkService(name, { sharingKey: 'k', ports: tcp(port), ...o })

t.test('sharingVerdict', async (t) => {
  const mk = (key: string, sharing: string | undefined, backend: string, ports: string[]): Claimant => ({ key: key as ServiceKey, sharing, backend, ports })
  const occupants = (c: Claimant) => ({ sharing: c.sharing, backend: c.backend, first: c.key, rest: undefined, ports: new Map(c.ports.map((p) => [p, c.key])) })
  const a = mk('ns/a', 'k', '', ['TCP/80'])
  const cases = [
    { desc: 'same key, other port', in: mk('ns/b', 'k', '', ['TCP/443']), want: 'Shareable' },
    { desc: 'same port, other protocol', in: mk('ns/b', 'k', '', ['UDP/80']), want: 'Shareable' },
    { desc: 'same port', in: mk('ns/b', 'k', '', ['TCP/80']), want: 'PortClash' },
    { desc: 'no key', in: mk('ns/b', undefined, '', ['TCP/443']), want: 'NotShared' },
    { desc: 'other key', in: mk('ns/b', 'j', '', ['TCP/443']), want: 'OtherKey' },
    { desc: 'other backend', in: mk('ns/b', 'k', 'app=x', ['TCP/443']), want: 'BackendMismatch' },
    { desc: 'itself', in: mk('ns/a', undefined, 'x', ['TCP/80']), want: 'Shareable' },
  ]
  for (const c of cases) t.equal(sharingVerdict(c.in, occupants(a))._tag, c.want, c.desc)
  // Occupants are listed in the order they came; the refusal names by key, whatever that order.
  const three = { ...occupants(mk('ns/z', 'k', '', ['TCP/80'])), rest: ['ns/m' as ServiceKey, 'ns/b' as ServiceKey] }
  t.same(sharingVerdict(mk('ns/x', undefined, '', ['TCP/443']), three), { _tag: 'NotShared', holder: 'ns/b' }, 'names the least key among the others')
  t.same(sharingVerdict(mk('ns/b', 'j', '', ['TCP/443']), three), { _tag: 'OtherKey', holder: 'ns/m', theirs: 'k' }, 'never the claimant itself')
})

const rows: Row[] = [
  {
    desc: 'a requested IP shared under one key on different ports',
    in: { pools: [pool], services: [shared('http', 80, { holds: ['192.0.2.1'] }), shared('https', 443, { want: ['192.0.2.1'] })] },
    want: { http: '192.0.2.1@p', https: '192.0.2.1@p' },
  },
  {
    desc: 'TCP and UDP on one port number share (the DNS case)',
    in: { pools: [pool], services: [mkService('dns-tcp', { sharingKey: 'dns', ports: [{ protocol: 'TCP', port: 53 }], holds: ['192.0.2.2'] }), mkService('dns-udp', { sharingKey: 'dns', ports: [{ protocol: 'UDP', port: 53 }], want: ['192.0.2.2'] })] },
    want: { 'dns-tcp': '192.0.2.2@p', 'dns-udp': '192.0.2.2@p' },
  },
  {
    desc: 'automatic allocation meets the shareable address in address order',
    in: { pools: [pool], services: [shared('a', 80, { creationTimestamp: '2024-01-01T00:00:00Z' }), shared('b', 443, { creationTimestamp: '2024-01-02T00:00:00Z' })] },
    want: { a: '192.0.2.0@p', b: '192.0.2.0@p' },
  },
  {
    desc: 'a lower free address comes before a shareable one (MetalLB does not prefer sharing)',
    in: { pools: [pool], services: [shared('a', 80, { holds: ['192.0.2.1'] }), shared('b', 443)] },
    want: { a: '192.0.2.1@p', b: '192.0.2.0@p' },
  },
  {
    desc: 'one port used twice: automatic allocation takes another address',
    in: { pools: [pool], services: [shared('a', 80, { holds: ['192.0.2.0'] }), shared('b', 80)] },
    want: { a: '192.0.2.0@p', b: '192.0.2.1@p' },
  },
  {
    desc: 'one port used twice: a request is refused',
    in: { pools: [pool], services: [shared('a', 80, { holds: ['192.0.2.0'] }), shared('b', 80, { want: ['192.0.2.0'] })] },
    want: { b: 'Pending:SharingConflict' },
    says: { b: 'TCP/80' },
  },
  {
    desc: 'a refused request names the sharer with the least key, not the first to take the address',
    in: { pools: [pool], services: [shared('b', 80, { holds: ['192.0.2.0'] }), shared('a', 443), mkService('c', { want: ['192.0.2.0'] })] },
    want: { a: '192.0.2.0@p', b: '192.0.2.0@p', c: 'Pending:RequestedIPInUse' },
    says: { c: 'in use by default/a;' },
  },
  {
    desc: 'different keys',
    in: { pools: [pool], services: [shared('a', 80, { holds: ['192.0.2.0'] }), shared('b', 443, { sharingKey: 'other', want: ['192.0.2.0'] })] },
    want: { b: 'Pending:RequestedIPInUse' },
    says: { b: '"k"' },
  },
  {
    desc: 'Local policy shares only with identical selectors',
    in: {
      pools: [pool],
      services: [
        shared('a', 80, { externalTrafficPolicy: 'Local', selector: { app: 'web' }, holds: ['192.0.2.0'] }),
        shared('same', 443, { externalTrafficPolicy: 'Local', selector: { app: 'web' }, want: ['192.0.2.0'] }),
        shared('other', 8080, { externalTrafficPolicy: 'Local', selector: { app: 'api' }, want: ['192.0.2.0'] }),
        shared('cluster', 8443, { externalTrafficPolicy: 'Cluster', want: ['192.0.2.0'] }),
      ],
    },
    want: { a: '192.0.2.0@p', same: '192.0.2.0@p', other: 'Pending:SharingConflict', cluster: 'Pending:SharingConflict' },
    says: { other: 'identical selectors' },
  },
  {
    desc: 'two holders of one address: compatible ones both keep it',
    in: { pools: [pool], services: [shared('a', 80, { holds: ['192.0.2.3'] }), shared('b', 443, { holds: ['192.0.2.3'] })] },
    want: { a: '192.0.2.3@p', b: '192.0.2.3@p' },
  },
  {
    desc: 'two holders of one address: the older keeps it, the newer moves',
    in: {
      pools: [pool],
      services: [
        mkService('newer', { holds: ['192.0.2.3'], creationTimestamp: '2024-02-01T00:00:00Z' }),
        mkService('older', { holds: ['192.0.2.3'], creationTimestamp: '2024-01-01T00:00:00Z' }),
      ],
    },
    want: { older: '192.0.2.3@p', newer: '192.0.2.0@p' },
  },
  {
    desc: 'a dual-stack holder contested on one family loses both and is re-allocated',
    in: {
      pools: [mkPool('d', ['192.0.2.0/30', '2001:db8::/126'])],
      services: [
        mkService('first', { holds: ['192.0.2.1'], creationTimestamp: '2024-01-01T00:00:00Z' }),
        mkService('dual', { ipFamilies: [4, 6], ipFamilyPolicy: 'RequireDualStack', holds: ['192.0.2.1', '2001:db8::3'], creationTimestamp: '2024-02-01T00:00:00Z' }),
      ],
    },
    want: { first: '192.0.2.1@d', dual: '192.0.2.0,2001:db8::@d' },
  },
]

t.test('sharing examples', async (t) => runTable(t, rows))
