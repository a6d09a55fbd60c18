// The validating webhook's decision, pure: one admission request about a MetalLB configuration
// object, the configuration objects the cluster holds now, and the namespace IronLB serves. It runs
// the controller's own decoder (core/config/buildConfig) on the cluster as it is and as it would be
// after the request, and refuses only what the request adds: an object that was already invalid
// before the webhook existed can still be fixed step by step, and the controller keeps reporting it.
//
// As MetalLB's webhook: configuration objects live in IronLB's namespace only, and a BFDProfile a
// BGPPeer still names cannot be deleted. Other deletions are allowed (`kubectl delete -f` must work in
// any order).
import { buildConfig } from '../config/buildConfig.js'
import type { ConfigError } from '../model/config.js'
import { configErrorText } from './message.js'

type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT'

export interface AdmissionRequestView {
  readonly operation: Operation
  readonly kind: string
  readonly namespace: string
  readonly name: string
  /** The object as it would be stored (CREATE, UPDATE); undefined for DELETE. */
  readonly object: unknown
}

export type Decision =
  | { readonly _tag: 'Allowed'; readonly reason: 'NoNewErrors' | 'NotChecked' }
  | {
      readonly _tag: 'Denied'
      /** Unverifiable: the shell could not read the cluster's configuration to decide. */
      readonly reason: 'OutsideNamespace' | 'InvalidConfiguration' | 'StillInUse' | 'Unverifiable'
      readonly message: string
    }

const errorKey = (e: ConfigError): string => configErrorText(e)

/** The cluster's objects with `name` of `kind` left out. */
const without = (objects: readonly unknown[], kind: string, name: string): unknown[] =>
  objects.filter((o) => !(isRecord(o) && o['kind'] === kind && isRecord(o['metadata']) && o['metadata']['name'] === name))

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/** Errors of `after` that `before` did not have, in `after`'s order. */
const newErrors = (before: readonly ConfigError[], after: readonly ConfigError[]): ConfigError[] => {
  const known = new Set(before.map(errorKey))
  return after.filter((e) => !known.has(errorKey(e)))
}

const errorsOf = (objects: readonly unknown[], namespace: string): readonly ConfigError[] => {
  const r = buildConfig(objects, { namespace })
  return r._tag === 'Invalid' ? r.errors : []
}

const deny = (reason: 'InvalidConfiguration' | 'StillInUse', errors: readonly ConfigError[]): Decision => ({
  _tag: 'Denied',
  reason,
  message: errors.map(configErrorText).join('\n'),
})

/** The object in the request, with the namespace the API server gives it when the body has none. */
const placed = (object: unknown, namespace: string): unknown =>
  isRecord(object) && isRecord(object['metadata']) ? { ...object, metadata: { ...object['metadata'], namespace } } : object

/**
 * Allow or refuse `request`, given `cluster` (every MetalLB configuration object in `namespace`,
 * as the API server lists them) and IronLB's namespace.
 */
export const admit = (request: AdmissionRequestView, cluster: readonly unknown[], namespace: string): Decision => {
  if (request.operation === 'CONNECT') return { _tag: 'Allowed', reason: 'NotChecked' }
  if (request.operation === 'DELETE') {
    if (request.kind !== 'BFDProfile' || request.namespace !== namespace) return { _tag: 'Allowed', reason: 'NotChecked' }
    const added = newErrors(errorsOf(cluster, namespace), errorsOf(without(cluster, request.kind, request.name), namespace))
    return added.length === 0 ? { _tag: 'Allowed', reason: 'NoNewErrors' } : deny('StillInUse', added)
  }
  if (request.namespace !== namespace)
    return {
      _tag: 'Denied',
      reason: 'OutsideNamespace',
      message: `${request.kind} ${request.namespace}/${request.name}: metadata.namespace: MetalLB configuration must be created in namespace ${namespace}; IronLB ignores it anywhere else`,
    }
  const before = errorsOf(cluster, namespace)
  const after = errorsOf([...without(cluster, request.kind, request.name), placed(request.object, namespace)], namespace)
  const added = newErrors(before, after)
  return added.length === 0 ? { _tag: 'Allowed', reason: 'NoNewErrors' } : deny('InvalidConfiguration', added)
}
