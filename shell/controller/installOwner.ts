// Asks the API server who the controller is (a SelfSubjectReview: every authenticated user may, through
// the bootstrap ClusterRole system:basic-user, so no grant of ours): for a Pod's ServiceAccount token,
// system:serviceaccount:<namespace>:<name> and the ServiceAccount's uid. Decoded with io-ts here;
// core/controller/installOwner.ts decides whether that account owns what the controller creates.
// Never throws: an API server that cannot say leaves the objects unowned, as before, and logs why.
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { type InstallOwner, installOwner } from '../../core/controller/installOwner.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

const ReviewBody = t.type({ status: t.type({ userInfo: t.intersection([t.type({ username: t.string }), t.partial({ uid: t.string })]) }) })

const ask = async (rest: RestClient, namespace: string): Promise<InstallOwner> => {
  const res = await rest.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    timeoutMs: 10_000,
  })
  if (res.status !== 201 && res.status !== 200) return { _tag: 'Unowned', why: `SelfSubjectReview: HTTP ${res.status}` }
  const decoded = ReviewBody.decode(res.body)
  if (E.isLeft(decoded)) return { _tag: 'Unowned', why: 'SelfSubjectReview answer not understood' }
  const user = decoded.right.status.userInfo
  return installOwner({ username: user.username, uid: user.uid }, namespace)
}

export const findInstallOwner = async (rest: RestClient, namespace: string, log: Logger): Promise<InstallOwner> => {
  const owner = await ask(rest, namespace).catch((err: unknown): InstallOwner => ({ _tag: 'Unowned', why: `SelfSubjectReview: ${String(err)}` }))
  if (owner._tag === 'Owned') log.info('install-owner', { serviceAccount: `${namespace}/${owner.reference.name}`, uid: owner.reference.uid })
  else log.warn('install-owner-unknown', { why: owner.why, note: 'the Lease and Secrets the controller creates carry no owner reference' })
  return owner
}
