// What IronLB's caches keep of each Kubernetes object they watch: the fields the core's decoders
// (decodeCluster.ts with codecs.ts and service.ts, core/speaker/memberUniverse.ts) and the shell's
// writers read, nothing else. Memory then follows what IronLB needs, not what users and other tools
// put in their objects (kubectl's last-applied-configuration, a Node's image list, slice hints).
// Pure. A kept field whose value has the wrong type is kept as it is, so decoding the projection
// reports the same problem as decoding the whole object; specs/core/cluster/projection.spec.ts
// holds every decoder to "same result on the projection as on the whole object".
// MetalLB's own kinds and ServiceL2Status are not projected: they are few, small, and read whole.
// Secrets (the speaker's basic-auth ones, for BGPPeer passwordSecret) keep their name, type and the
// `password` key only: a username or any other key never enters the cache.
import { absurd } from '../fp/absurd.js'
import { METALLB_PREFIXES } from './service.js'

/** Which part of a value to keep. */
export type Shape =
  | { readonly _tag: 'Whole' }
  /** An object: only these keys, each projected in turn. */
  | { readonly _tag: 'Fields'; readonly fields: Readonly<Record<string, Shape>> }
  /** A list: every item projected. */
  | { readonly _tag: 'Each'; readonly item: Shape }
  /** A string map: only the keys that start with one of the prefixes. */
  | { readonly _tag: 'Prefixed'; readonly prefixes: readonly string[] }

const WHOLE: Shape = { _tag: 'Whole' }
const fields = (f: Record<string, Shape>): Shape => ({ _tag: 'Fields', fields: f })
const each = (item: Shape): Shape => ({ _tag: 'Each', item })

// uid and resourceVersion are the shell's: Events name the uid, writes and the cache compare versions.
const META = fields({
  name: WHOLE,
  namespace: WHOLE,
  uid: WHOLE,
  resourceVersion: WHOLE,
  creationTimestamp: WHOLE,
  labels: WHOLE,
  // The only annotations IronLB reads (ipRequest.ts, and service.ts for what the controller writes).
  annotations: { _tag: 'Prefixed', prefixes: METALLB_PREFIXES },
})

const TYPE_META = { apiVersion: WHOLE, kind: WHOLE }

const SERVICE = fields({
  ...TYPE_META,
  metadata: META,
  spec: fields({
    type: WHOLE,
    loadBalancerClass: WHOLE,
    loadBalancerIP: WHOLE,
    ipFamilies: WHOLE,
    ipFamilyPolicy: WHOLE,
    clusterIP: WHOLE,
    clusterIPs: WHOLE,
    ports: each(fields({ port: WHOLE, protocol: WHOLE, name: WHOLE })),
    externalTrafficPolicy: WHOLE,
    selector: WHOLE,
  }),
  status: fields({
    // ipMode and ports are others' fields, kept so that the controller's status write keeps them (a
    // merge patch replaces the ingress list whole).
    loadBalancer: fields({ ingress: each(fields({ ip: WHOLE, hostname: WHOLE, ipMode: WHOLE, ports: WHOLE })) }),
    // Written back as a whole list by the controller (a merge patch replaces a list), so every
    // field service.ts reads of a condition is kept.
    conditions: each(fields({ type: WHOLE, status: WHOLE, reason: WHOLE, message: WHOLE, lastTransitionTime: WHOLE, observedGeneration: WHOLE })),
  }),
})

const NODE = fields({
  ...TYPE_META,
  metadata: META,
  status: fields({
    conditions: each(fields({ type: WHOLE, status: WHOLE })),
    addresses: each(fields({ type: WHOLE, address: WHOLE })),
  }),
})

const ENDPOINT_SLICE = fields({
  ...TYPE_META,
  metadata: META,
  addressType: WHOLE,
  endpoints: each(
    fields({
      addresses: WHOLE,
      nodeName: WHOLE,
      conditions: fields({ ready: WHOLE, serving: WHOLE, terminating: WHOLE }),
    }),
  ),
})

const NAMESPACE = fields({ ...TYPE_META, metadata: META })

const SECRET = fields({
  ...TYPE_META,
  metadata: fields({ name: WHOLE, namespace: WHOLE, uid: WHOLE, resourceVersion: WHOLE }),
  type: WHOLE,
  data: fields({ password: WHOLE }),
})

/** The projected kinds, by `kind`; the reflector picks by the kind it was started for. */
export const PROJECTIONS: ReadonlyMap<string, Shape> = new Map([
  ['Service', SERVICE],
  ['Node', NODE],
  ['EndpointSlice', ENDPOINT_SLICE],
  ['Namespace', NAMESPACE],
  ['Secret', SECRET],
])

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key)

// Object.fromEntries defines own properties, so a key such as "__proto__" stays a plain key.
export const project = (shape: Shape, value: unknown): unknown => {
  switch (shape._tag) {
    case 'Whole':
      return value
    case 'Fields':
      if (!isRecord(value)) return value
      return Object.fromEntries(Object.entries(shape.fields).flatMap(([k, s]) => (hasOwn(value, k) ? [[k, project(s, value[k])]] : [])))
    case 'Each':
      return Array.isArray(value) ? value.map((item: unknown) => project(shape.item, item)) : value
    case 'Prefixed':
      if (!isRecord(value)) return value
      // A value that is not a string is malformed: kept, so the decoder names it as it would.
      return Object.fromEntries(Object.entries(value).filter(([k, v]) => typeof v !== 'string' || shape.prefixes.some((p) => k.startsWith(p))))
    default:
      return absurd(shape)
  }
}

/** The cached copy of an object of `kind`: projected when the kind is, else undefined (keep it whole). */
export const projectionOf = (kind: string): ((o: unknown) => unknown) | undefined => {
  const shape = PROJECTIONS.get(kind)
  return shape === undefined ? undefined : (o) => project(shape, o)
}
