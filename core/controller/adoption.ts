// Whether the controller adopts a run-time object it finds at start without an owner: its Lease, the
// memberlist Secret or the webhook's certificate Secret, left by an IronLB from before owner references
// (04de792). Adopted, it goes with the install like one made now (core/controller/installOwner.ts).
// Decided by name and shape, never by name alone, because a Secret under one of these names may be a
// user's:
// - the Lease: its name is the controller's --lease-name, and the controller already takes it as its
//   election lock whoever made it; nothing else has a reason to write it.
// - the Secrets: only one that looks exactly as IronLB's controller creates it: the label
//   app.kubernetes.io/name=ironlb and no other, no annotation, IronLB's type and keys (memberlist:
//   Opaque, `secretkey`; certificate: kubernetes.io/tls, ca.crt ca.key tls.crt tls.key). A user's key
//   made by hand (`kubectl create secret generic memberlist`, as MetalLB's docs once said) has no label.
//   MetalLB's controller creates its memberlist Secret already owned by its Deployment, and
//   metallb-webhook-cert is in MetalLB's manifest and chart (Opaque, the installer's marks on it).
// Whatever has an owner already, or an installer's mark (Helm's release, kubectl apply's record), goes
// with that owner or installer: never taken. Pure.
import { absurd } from '../fp/absurd.js'
import type { OwnerReference } from './installOwner.js'

export type RuntimeObject = 'Lease' | 'MemberlistSecret' | 'CertificateSecret'

/** What the API server showed of the object. */
export interface Found {
  readonly labels: Readonly<Record<string, string>>
  readonly annotations: Readonly<Record<string, string>>
  readonly owners: readonly { readonly kind: string; readonly name: string }[]
  /** Secrets only. */
  readonly type?: string
  readonly dataKeys: readonly string[]
}

type Adoption = { readonly _tag: 'Adopt'; readonly ownerReferences: readonly OwnerReference[] } | { readonly _tag: 'Leave'; readonly why: string }

const IRONLB_LABELS = { 'app.kubernetes.io/name': 'ironlb' }
const INSTALLER_MARKS = ['meta.helm.sh/release-name', 'kubectl.kubernetes.io/last-applied-configuration']

const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n')

/** Made by IronLB's controller: its one label, no annotation, its type and keys. */
const ironlbShaped = (found: Found, type: string, keys: readonly string[]): string | undefined => {
  if (!sameSet(Object.entries(found.labels).map(([k, v]) => `${k}=${v}`), Object.entries(IRONLB_LABELS).map(([k, v]) => `${k}=${v}`)))
    return `labels ${JSON.stringify(found.labels)}, not IronLB's alone: made by someone else`
  if (Object.keys(found.annotations).length > 0) return 'annotated: made or changed by someone else'
  if (found.type !== type) return `type ${found.type ?? '(none)'}, not ${type}`
  if (!sameSet(found.dataKeys, keys)) return `keys ${JSON.stringify([...found.dataKeys].sort())}, not ${JSON.stringify(keys)}`
  return undefined
}

const shapeProblem = (what: RuntimeObject, found: Found): string | undefined => {
  switch (what) {
    case 'Lease':
      return undefined
    case 'MemberlistSecret':
      return ironlbShaped(found, 'Opaque', ['secretkey'])
    case 'CertificateSecret':
      return ironlbShaped(found, 'kubernetes.io/tls', ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'])
    default:
      return absurd(what)
  }
}

/** Adopt `found` for `owners` (the install's ServiceAccount), or leave it, and why. */
export const adoption = (what: RuntimeObject, found: Found, owners: readonly OwnerReference[]): Adoption => {
  if (owners.length === 0) return { _tag: 'Leave', why: 'the controller has no owner to give it' }
  const owner = found.owners[0]
  if (owner !== undefined) return { _tag: 'Leave', why: `owned by ${owner.kind} ${owner.name}: goes with it` }
  const mark = INSTALLER_MARKS.find((m) => m in found.annotations)
  if (mark !== undefined) return { _tag: 'Leave', why: `installed (${mark}): its installer removes it` }
  const problem = shapeProblem(what, found)
  return problem === undefined ? { _tag: 'Adopt', ownerReferences: owners } : { _tag: 'Leave', why: problem }
}
