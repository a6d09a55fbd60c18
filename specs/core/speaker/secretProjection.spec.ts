// What the speaker's Secret cache keeps (core/cluster/projection.ts, kind Secret): name, namespace,
// type and data.password only. Both readers of a Secret (peerPassword.ts for the session,
// peerChecks.ts secretFactsOf for the config's checks) read the same from the projected copy as from
// the whole object, for any data keys; and nothing else of the Secret stays in memory.
import t from 'tap'
import fc from 'fast-check'
import { projectionOf } from '../../../core/cluster/projection.js'
import { secretFactsOf } from '../../../core/config/peerChecks.js'
import { passwordOf } from '../../../core/speaker/peerPassword.js'

const NS = 'metallb-system'
const project = projectionOf('Secret')

const arbSecret = fc.record({
  type: fc.constantFrom('kubernetes.io/basic-auth', 'Opaque', undefined),
  data: fc.dictionary(fc.constantFrom('password', 'username', 'token', 'ca.crt'), fc.base64String()),
})

const read = (s: unknown) => {
  const p = passwordOf({ _tag: 'Secret', name: 'tor', namespace: NS }, [s], NS)
  return { password: p._tag === 'Left' ? p.left : p.right?.reveal(), facts: secretFactsOf([s], NS).get('tor') }
}

t.test('the readers read the same from the projection', async (t) => {
  t.ok(project !== undefined, 'Secrets are projected')
  fc.assert(
    fc.property(arbSecret, ({ type, data }) => {
      const whole = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tor', namespace: NS, annotations: { note: 'x' }, managedFields: [{}] }, ...(type === undefined ? {} : { type }), data }
      t.same(read(project?.(whole)), read(whole))
    }),
    { numRuns: 200 },
  )
})

t.test('only name, namespace, type and the password stay', async (t) => {
  const whole = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'tor', namespace: NS, uid: 'u', resourceVersion: '7', labels: { a: 'b' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"c2VjcmV0"}}' } },
    type: 'kubernetes.io/basic-auth',
    data: { password: 'c2VjcmV0', username: 'YWRtaW4=' },
  }
  t.same(project?.(whole), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tor', namespace: NS, uid: 'u', resourceVersion: '7' }, type: 'kubernetes.io/basic-auth', data: { password: 'c2VjcmV0' } })
})
