// Creates the speakers' shared key (Secret `memberlist`, key `secretkey`) when it is missing, as
// MetalLB's controller does with --ml-secret-name: speakers authenticate their failure-detector
// messages with it, so nobody has to generate a key by hand. An existing Secret is never touched (a
// user's own key stays theirs); one this creates is owned by `owners`, and goes with the install.
import { randomBytes } from 'node:crypto'
import type { OwnerReference } from '../../core/controller/installOwner.js'
import type { RestClient } from '../kube/rest.js'
import type { Logger } from '../obs/log.js'

export const ensureMemberlistSecret = async (rest: RestClient, namespace: string, name: string, owners: readonly OwnerReference[], log: Logger): Promise<void> => {
  const path = `/api/v1/namespaces/${namespace}/secrets`
  const existing = await rest.request('GET', `${path}/${name}`)
  if (existing.status === 200) return
  const res = await rest.request('POST', path, {
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'ironlb' }, ...(owners.length === 0 ? {} : { ownerReferences: owners }) },
      type: 'Opaque',
      data: { secretkey: randomBytes(128).toString('base64') },
    },
  })
  // 409: another replica made it first, which is just as good.
  if (res.status >= 300 && res.status !== 409) throw new Error(`create Secret ${namespace}/${name}: HTTP ${res.status}`)
  log.info('memberlist-secret-created', { secret: `${namespace}/${name}` })
}
