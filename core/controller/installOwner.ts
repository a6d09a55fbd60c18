// Who owns what the controller makes at run time (its Lease, the memberlist Secret, the webhook's
// certificate Secret): the ServiceAccount it runs as, when that account lives in the namespace it
// writes to. Those objects carry an owner reference to it, so the cluster's garbage collector removes
// them with the install: `helm uninstall` deletes the ServiceAccount but leaves the user's namespace
// (kubectl delete -f and -k delete the namespace, and everything in it with it). Pure: from what the
// API server said about the controller's own credentials (a SelfSubjectReview).
import { absurd } from '../fp/absurd.js'

/** The user the API server names for the controller's credentials. */
interface SelfUser {
  readonly username: string
  readonly uid: string | undefined
}

export interface OwnerReference {
  readonly apiVersion: 'v1'
  readonly kind: 'ServiceAccount'
  readonly name: string
  readonly uid: string
}

export type InstallOwner = { readonly _tag: 'Owned'; readonly reference: OwnerReference } | { readonly _tag: 'Unowned'; readonly why: string }

const SA_PREFIX = 'system:serviceaccount:'

const unowned = (why: string): InstallOwner => ({ _tag: 'Unowned', why })

/**
 * The ServiceAccount behind `self`, if it can own objects in `namespace`. An owner must be in its
 * dependents' namespace: the collector looks it up there, finds nothing, and deletes the dependent.
 */
export const installOwner = (self: SelfUser, namespace: string): InstallOwner => {
  if (!self.username.startsWith(SA_PREFIX)) return unowned(`not a ServiceAccount: ${self.username}`)
  const parts = self.username.slice(SA_PREFIX.length).split(':')
  const [ns, name] = parts
  if (parts.length !== 2 || ns === undefined || name === undefined || ns === '' || name === '') return unowned(`not a ServiceAccount's user name: ${self.username}`)
  if (ns !== namespace) return unowned(`ServiceAccount ${ns}/${name} is not in ${namespace}, where the controller writes`)
  if (self.uid === undefined || self.uid === '') return unowned(`ServiceAccount ${ns}/${name}: the API server gave no uid`)
  return { _tag: 'Owned', reference: { apiVersion: 'v1', kind: 'ServiceAccount', name, uid: self.uid } }
}

/** The `ownerReferences` an object the controller creates carries: none when unowned. */
export const ownerReferences = (owner: InstallOwner): readonly OwnerReference[] => {
  switch (owner._tag) {
    case 'Owned':
      return [owner.reference]
    case 'Unowned':
      return []
    default:
      return absurd(owner)
  }
}
