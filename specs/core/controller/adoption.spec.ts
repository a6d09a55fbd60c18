import t from 'tap'
import { type Found, type RuntimeObject, adoption } from '../../../core/controller/adoption.js'

const OWNERS = [{ apiVersion: 'v1', kind: 'ServiceAccount', name: 'controller', uid: 'u-1' }] as const
const IRONLB = { 'app.kubernetes.io/name': 'ironlb' }
const found = (o: Partial<Found>): Found => ({ labels: {}, annotations: {}, owners: [], dataKeys: [], ...o })
// As IronLB's controller creates them (shell/controller/memberlistSecret.ts, shell/webhook/certificates.ts), unowned.
const OLD_KEY = found({ labels: IRONLB, type: 'Opaque', dataKeys: ['secretkey'] })
const OLD_CERT = found({ labels: IRONLB, type: 'kubernetes.io/tls', dataKeys: ['tls.key', 'ca.crt', 'tls.crt', 'ca.key'] })
const OLD_LEASE = found({})

t.test('what an older IronLB left without an owner is adopted', async (t) => {
  const rows: [RuntimeObject, Found][] = [
    ['Lease', OLD_LEASE],
    ['MemberlistSecret', OLD_KEY],
    ['CertificateSecret', OLD_CERT],
  ]
  for (const [what, f] of rows) t.same(adoption(what, f, OWNERS), { _tag: 'Adopt', ownerReferences: OWNERS }, what)
})

t.test('what is someone else\'s, or goes with something else, is left, and says why', async (t) => {
  const rows: { desc: string; what: RuntimeObject; f: Found; why: RegExp }[] = [
    { desc: "a user's key made by hand (kubectl create secret generic memberlist)", what: 'MemberlistSecret', f: found({ type: 'Opaque', dataKeys: ['secretkey'] }), why: /not IronLB's alone/ },
    { desc: "MetalLB's key: owned by its controller Deployment", what: 'MemberlistSecret', f: { ...OLD_KEY, labels: {}, owners: [{ kind: 'Deployment', name: 'controller' }] }, why: /owned by Deployment controller/ },
    { desc: 'a key with a label of its own besides IronLB\'s', what: 'MemberlistSecret', f: { ...OLD_KEY, labels: { ...IRONLB, team: 'net' } }, why: /not IronLB's alone/ },
    { desc: 'a key with another key beside it', what: 'MemberlistSecret', f: { ...OLD_KEY, dataKeys: ['secretkey', 'other'] }, why: /^keys/ },
    { desc: 'a key of another type', what: 'MemberlistSecret', f: { ...OLD_KEY, type: 'kubernetes.io/tls' }, why: /^type/ },
    { desc: 'an annotated key', what: 'MemberlistSecret', f: { ...OLD_KEY, annotations: { note: 'mine' } }, why: /annotated/ },
    { desc: "MetalLB's manifest's certificate Secret (Opaque, applied by kubectl)", what: 'CertificateSecret', f: found({ type: 'Opaque', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }), why: /installed/ },
    { desc: 'a certificate Secret from a Helm release', what: 'CertificateSecret', f: { ...OLD_CERT, annotations: { 'meta.helm.sh/release-name': 'metallb' } }, why: /installed/ },
    { desc: "a user's TLS Secret (no ca.key)", what: 'CertificateSecret', f: found({ type: 'kubernetes.io/tls', dataKeys: ['tls.crt', 'tls.key', 'ca.crt'] }), why: /not IronLB's alone/ },
    { desc: 'a certificate Secret of IronLB\'s shape but another type', what: 'CertificateSecret', f: { ...OLD_CERT, type: 'Opaque' }, why: /^type/ },
    { desc: 'a Lease owned already (this install, or another)', what: 'Lease', f: found({ owners: [{ kind: 'ServiceAccount', name: 'controller' }] }), why: /owned by ServiceAccount controller/ },
    { desc: 'a Lease from a Helm release', what: 'Lease', f: found({ annotations: { 'meta.helm.sh/release-name': 'x' } }), why: /installed/ },
  ]
  for (const r of rows) {
    const a = adoption(r.what, r.f, OWNERS)
    t.equal(a._tag, 'Leave', r.desc)
    if (a._tag === 'Leave') t.match(a.why, r.why, `${r.desc}: ${a.why}`)
  }
})

t.test('with no owner to give (not a ServiceAccount of the namespace), nothing is adopted', async (t) => {
  t.same(adoption('Lease', OLD_LEASE, []), { _tag: 'Leave', why: 'the controller has no owner to give it' })
})
