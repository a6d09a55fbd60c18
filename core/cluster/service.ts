// A Service object to core/model/service.ts. Defaults are the API server's (type ClusterIP,
// ipFamilyPolicy SingleStack, externalTrafficPolicy Cluster, protocol TCP), so a hand-written
// manifest reads the same as one fetched from a cluster. Problems that do not make the Service
// unusable (an unparsable ingress IP or timestamp) are reported and the rest is kept. The same decode
// gives what the Service shows now (core/model/serviceShown.ts), which the controller writes against.
import * as E from 'fp-ts/lib/Either.js'
import type { Condition, IngressExtras, ServiceShown } from '../model/serviceShown.js'
import { serviceKey } from '../model/names.js'
import type { Service, ServicePort } from '../model/service.js'
import { type Family, type IP, parseIP } from '../net/address.js'
import type { FieldProblem } from '../config/decodeErrors.js'
import { type ServiceWire, conditionCodec } from './codecs.js'
import { ipRequestFrom, pinnedPoolFrom, sharingKeyFrom } from './ipRequest.js'
import { normaliseTimestamp } from './timestamp.js'

/** Namespace of an object written without one, as `kubectl apply` without `-n` would place it. */
export const DEFAULT_NAMESPACE = 'default'

const familyOfText = (text: string): Family | undefined => {
  const ip = parseIP(text.trim())
  return E.isRight(ip) ? ip.right.family : undefined
}

/** Conditions that read as metav1.Condition; any other entry is left out (the next write drops it). */
const conditionsFrom = (raw: unknown): Condition[] =>
  (Array.isArray(raw) ? raw : []).flatMap((entry: unknown) => {
    const c = conditionCodec.decode(entry)
    if (E.isLeft(c)) return []
    const { type, status, reason, message, lastTransitionTime, observedGeneration } = c.right
    const condition: Condition = {
      type,
      status,
      reason: reason ?? '',
      message: message ?? '',
      lastTransitionTime: lastTransitionTime ?? '',
      ...(observedGeneration === undefined ? {} : { observedGeneration }),
    }
    return [condition]
  })

/** The controller reads and writes only MetalLB's annotations; others' (kubectl's last-applied) are not its business. */
export const METALLB_PREFIXES: readonly string[] = ['metallb.io/', 'metallb.universe.tf/']
const metallbAnnotations = (all: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(all).filter(([k]) => METALLB_PREFIXES.some((p) => k.startsWith(p))))

const textOrUndefined = (u: unknown): string | undefined => (typeof u === 'string' ? u : undefined)

type IngressWire = NonNullable<NonNullable<NonNullable<ServiceWire['status']>['loadBalancer']>['ingress']>

/** The ipMode and ports of the ingress entries that show any, by IP; nothing when none does (most Services). */
const ingressExtrasOf = (ingress: IngressWire | undefined): Pick<ServiceShown, 'ingressExtras'> => {
  const extras: Record<string, IngressExtras> = {}
  let any = false
  for (const entry of ingress ?? []) {
    const ipMode = textOrUndefined(entry.ipMode)
    const ports: readonly unknown[] | undefined = Array.isArray(entry.ports) ? entry.ports : undefined
    if (entry.ip === undefined || entry.ip === '' || (ipMode === undefined && ports === undefined)) continue
    extras[entry.ip] = { ...(ipMode === undefined ? {} : { ipMode }), ...(ports === undefined ? {} : { ports }) }
    any = true
  }
  return any ? { ingressExtras: extras } : {}
}

const shownFrom = (wire: ServiceWire, namespace: string): ServiceShown => ({
  key: `${namespace}/${wire.metadata.name}`,
  namespace,
  name: wire.metadata.name,
  uid: textOrUndefined(wire.metadata.uid),
  resourceVersion: textOrUndefined(wire.metadata.resourceVersion),
  ingressIPs: (wire.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined || i.ip === '' ? [] : [i.ip])),
  ...ingressExtrasOf(wire.status?.loadBalancer?.ingress),
  annotations: metallbAnnotations(wire.metadata.annotations ?? {}),
  conditions: conditionsFrom(wire.status?.conditions),
})

export const serviceFrom = (wire: ServiceWire): { service: Service; shown: ServiceShown; notes: FieldProblem[] } => {
  const notes: FieldProblem[] = []
  const meta = wire.metadata
  const spec = wire.spec ?? {}
  const namespace = meta.namespace === undefined || meta.namespace === '' ? DEFAULT_NAMESPACE : meta.namespace
  const annotations = meta.annotations ?? {}
  // MetalLB reads the families of spec.clusterIPs, or of spec.clusterIP when the list is empty.
  const clusterIPTexts = (spec.clusterIPs ?? []).length > 0 ? (spec.clusterIPs ?? []) : spec.clusterIP === undefined ? [] : [spec.clusterIP]
  const clusterIPFamilies = clusterIPTexts.flatMap((text) => {
    const f = text === 'None' || text === '' ? undefined : familyOfText(text)
    return f === undefined ? [] : [f]
  })
  const ingressIPs: IP[] = []
  ;(wire.status?.loadBalancer?.ingress ?? []).forEach((entry, i) => {
    if (entry.ip === undefined || entry.ip === '') return // hostname-only entries carry no address
    const ip = parseIP(entry.ip.trim())
    if (E.isLeft(ip)) notes.push({ field: `status.loadBalancer.ingress[${i}].ip`, message: `${ip.left}; the entry is ignored` })
    else ingressIPs.push(ip.right)
  })
  let creationTimestamp: string | undefined
  if (meta.creationTimestamp !== undefined) {
    const ts = normaliseTimestamp(meta.creationTimestamp)
    if (E.isLeft(ts)) notes.push({ field: 'metadata.creationTimestamp', message: `${ts.left}; it is ignored` })
    else creationTimestamp = ts.right
  }
  const ports: ServicePort[] = (spec.ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port }))
  const service: Service = {
    key: serviceKey(namespace, meta.name),
    namespace,
    name: meta.name,
    labels: Object.fromEntries(Object.entries(meta.labels ?? {})),
    type: spec.type ?? 'ClusterIP',
    loadBalancerClass: spec.loadBalancerClass === '' ? undefined : spec.loadBalancerClass,
    ipFamilies: (spec.ipFamilies ?? []).map((f) => (f === 'IPv4' ? 4 : 6)),
    ipFamilyPolicy: spec.ipFamilyPolicy ?? 'SingleStack',
    clusterIPFamilies,
    ports,
    externalTrafficPolicy: spec.externalTrafficPolicy ?? 'Cluster',
    selector: Object.fromEntries(Object.entries(spec.selector ?? {})),
    request: ipRequestFrom(annotations, spec.loadBalancerIP),
    pinnedPool: pinnedPoolFrom(annotations),
    sharingKey: sharingKeyFrom(annotations),
    ingressIPs,
    creationTimestamp,
  }
  return { service, shown: shownFrom(wire, namespace), notes }
}
