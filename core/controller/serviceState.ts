// Reads the parts of a live Service object that core/controller/serviceStatus.ts compares against.
// Tolerant: anything malformed reads as absent, because the write that follows repairs it.
import * as t from 'io-ts'
import type { Condition, ServiceState } from './serviceStatus.js'

const ConditionCodec = t.intersection([
  t.type({ type: t.string, status: t.keyof({ True: null, False: null, Unknown: null }) }),
  t.partial({ reason: t.string, message: t.string, lastTransitionTime: t.string, observedGeneration: t.number }),
])

const ServiceShape = t.partial({
  metadata: t.partial({ namespace: t.string, name: t.string, annotations: t.record(t.string, t.string) }),
  status: t.partial({
    loadBalancer: t.partial({ ingress: t.array(t.partial({ ip: t.string, hostname: t.string })) }),
    conditions: t.array(t.unknown),
  }),
})

export const serviceStateOf = (obj: unknown): ServiceState => {
  const decoded = ServiceShape.decode(obj)
  const svc = decoded._tag === 'Right' ? decoded.right : {}
  const conditions: Condition[] = []
  for (const raw of svc.status?.conditions ?? []) {
    const c = ConditionCodec.decode(raw)
    if (c._tag === 'Left') continue
    const { type, status, reason, message, lastTransitionTime, observedGeneration } = c.right
    conditions.push({
      type,
      status,
      reason: reason ?? '',
      message: message ?? '',
      lastTransitionTime: lastTransitionTime ?? '',
      ...(observedGeneration === undefined ? {} : { observedGeneration }),
    })
  }
  return {
    key: `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`,
    ingressIPs: (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined || i.ip === '' ? [] : [i.ip])),
    annotations: svc.metadata?.annotations ?? {},
    conditions,
  }
}
