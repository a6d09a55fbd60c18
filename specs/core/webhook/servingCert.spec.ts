// When the webhook's certificates are replaced, and with which names: an example table and a
// property (a plan that keeps never lets the serving certificate lapse before the next look).
import t from 'tap'
import fc from 'fast-check'
import { LIFETIMES, type StoredCertificates, certificatePlan, servingNames } from '../../../core/webhook/servingCert.js'

const want = servingNames('metallb-webhook-service', 'metallb-system', 'cluster.local', [])
const NOW = 1_800_000_000
const readable = (over: { serving?: Partial<{ notBefore: number; notAfter: number; signedByAuthority: boolean; dnsNames: string[] }>; authority?: { notBefore: number; notAfter: number } } = {}): StoredCertificates => ({
  _tag: 'Readable',
  authority: over.authority ?? { notBefore: NOW - 100, notAfter: NOW + LIFETIMES.authority },
  serving: {
    notBefore: over.serving?.notBefore ?? NOW - 100,
    notAfter: over.serving?.notAfter ?? NOW + LIFETIMES.serving,
    names: { dnsNames: over.serving?.dnsNames ?? [...want.dnsNames].reverse(), ipAddresses: [] },
    signedByAuthority: over.serving?.signedByAuthority ?? true,
  },
})

t.test('servingNames: every DNS form of the Service, extra hosts split into names and addresses', async (t) => {
  t.same(want.dnsNames, ['metallb-webhook-service', 'metallb-webhook-service.metallb-system', 'metallb-webhook-service.metallb-system.svc', 'metallb-webhook-service.metallb-system.svc.cluster.local'])
  t.same(want.ipAddresses, [])
  const extra = servingNames('s', 'n', 'cluster.local', ['127.0.0.1', '::1', 'webhook.example'])
  t.same(extra.ipAddresses, ['127.0.0.1', '::1'])
  t.ok(extra.dnsNames.includes('webhook.example'))
})

t.test('certificatePlan: example table', async (t) => {
  const year = LIFETIMES.serving
  const rows: ReadonlyArray<{ desc: string; in: StoredCertificates; want: string }> = [
    { desc: 'no Secret yet', in: { _tag: 'Missing' }, want: 'NewAuthority:Missing' },
    { desc: 'a Secret with garbage', in: { _tag: 'Unreadable', why: 'no PEM' }, want: 'NewAuthority:Unreadable' },
    { desc: 'fresh, same names in another order', in: readable(), want: 'Keep' },
    { desc: 'serving certificate with a third of its life left', in: readable({ serving: { notBefore: NOW - Math.ceil((2 * year) / 3) - 10, notAfter: NOW + Math.floor(year / 3) - 10 } }), want: 'NewServing:ServingExpiring' },
    { desc: 'serving certificate expired', in: readable({ serving: { notBefore: NOW - year - 10, notAfter: NOW - 10 } }), want: 'NewServing:ServingExpiring' },
    { desc: 'names changed', in: readable({ serving: { dnsNames: ['other'] } }), want: 'NewServing:NamesChanged' },
    { desc: 'not signed by the stored authority', in: readable({ serving: { signedByAuthority: false } }), want: 'NewServing:NotSignedByAuthority' },
    { desc: 'authority close to its end', in: readable({ authority: { notBefore: NOW - LIFETIMES.authority + 100, notAfter: NOW + 100 } }), want: 'NewAuthority:AuthorityExpiring' },
  ]
  for (const row of rows) {
    const p = certificatePlan(NOW, row.in, want)
    t.equal(p._tag === 'Keep' ? 'Keep' : `${p._tag}:${p.reason}`, row.want, row.desc)
  }
})

t.test('a kept certificate is looked at again before it is due, and within the recheck period', async () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: LIFETIMES.serving }), fc.integer({ min: 3600, max: 2 * LIFETIMES.serving }), (age, life) => {
      const notBefore = NOW - age
      const stored = readable({ serving: { notBefore, notAfter: notBefore + life } })
      const p = certificatePlan(NOW, stored, want)
      if (p._tag !== 'Keep') return true
      const dueAt = notBefore + life - life * LIFETIMES.renewFraction
      return p.recheckAt > NOW - 1 && p.recheckAt <= NOW + LIFETIMES.recheck && p.recheckAt <= Math.ceil(dueAt) && notBefore + life > p.recheckAt
    }),
    { numRuns: 2000 },
  )
})
