// Slim wire shapes of the core Kubernetes objects IronLB reads (Cilium keeps "slim" copies of the
// Kubernetes types for the same reason): only the fields the core decides on, each optional where
// the API allows it, unknown fields ignored.
import * as t from 'io-ts'

const stringMap = t.record(t.string, t.string)

const metaCodec = t.intersection([
  t.type({ name: t.string }),
  t.partial({
    namespace: t.string,
    labels: stringMap,
    annotations: stringMap,
    creationTimestamp: t.string,
  }),
])

const servicePortCodec = t.intersection([
  t.type({ port: t.Int }),
  t.partial({ protocol: t.keyof({ TCP: null, UDP: null, SCTP: null }), name: t.string }),
])

/**
 * What the controller writes with, read tolerantly (t.unknown, checked where it is used): a malformed
 * condition or version must not cost the Service its IP, since the next write repairs it.
 */
const serviceMetaCodec = t.intersection([metaCodec, t.partial({ uid: t.unknown, resourceVersion: t.unknown })])

export const conditionCodec = t.intersection([
  t.type({ type: t.string, status: t.keyof({ True: null, False: null, Unknown: null }) }),
  t.partial({ reason: t.string, message: t.string, lastTransitionTime: t.string, observedGeneration: t.number }),
])

export const serviceCodec = t.intersection([
  t.type({ metadata: serviceMetaCodec }),
  t.partial({
    spec: t.partial({
      type: t.keyof({ ClusterIP: null, NodePort: null, LoadBalancer: null, ExternalName: null }),
      loadBalancerClass: t.string,
      loadBalancerIP: t.string,
      ipFamilies: t.array(t.keyof({ IPv4: null, IPv6: null })),
      ipFamilyPolicy: t.keyof({ SingleStack: null, PreferDualStack: null, RequireDualStack: null }),
      clusterIP: t.string,
      clusterIPs: t.array(t.string),
      ports: t.array(servicePortCodec),
      externalTrafficPolicy: t.keyof({ Cluster: null, Local: null }),
      selector: stringMap,
    }),
    status: t.partial({
      loadBalancer: t.partial({
        // ipMode and ports are carried for the status write (service.ts), not read: unknown, so a value
        // the core does not expect cannot make the Service unreadable.
        ingress: t.array(t.partial({ ip: t.string, hostname: t.string, ipMode: t.unknown, ports: t.unknown })),
      }),
      conditions: t.unknown,
    }),
  }),
])
export type ServiceWire = t.TypeOf<typeof serviceCodec>

export const namespaceCodec = t.type({ metadata: metaCodec })
export type NamespaceWire = t.TypeOf<typeof namespaceCodec>

export const nodeCodec = t.intersection([
  t.type({ metadata: metaCodec }),
  t.partial({
    status: t.partial({
      conditions: t.array(t.intersection([t.type({ type: t.string }), t.partial({ status: t.string })])),
    }),
  }),
])
export type NodeWire = t.TypeOf<typeof nodeCodec>

export const endpointSliceCodec = t.intersection([
  t.type({ metadata: metaCodec }),
  t.partial({
    addressType: t.string,
    endpoints: t.array(
      t.intersection([
        t.type({ addresses: t.array(t.string) }),
        t.partial({
          nodeName: t.string,
          conditions: t.partial({ ready: t.boolean, serving: t.boolean, terminating: t.boolean }),
        }),
      ]),
    ),
  }),
])
export type EndpointSliceWire = t.TypeOf<typeof endpointSliceCodec>
