// Wire shapes shared by every MetalLB kind: the object metadata IronLB reads and the Kubernetes
// label selector (metav1.LabelSelector). Codecs are tolerant: unknown fields are ignored, as the API
// server's pruning would drop them anyway.
import * as t from 'io-ts'

export const objectMetaCodec = t.intersection([
  t.type({ name: t.string }),
  t.partial({
    namespace: t.string,
    labels: t.record(t.string, t.string),
  }),
])

/** `operator` is a plain string on the CRD; core/config/selector.ts names the allowed ones. */
const labelSelectorRequirementCodec = t.intersection([
  t.type({ key: t.string, operator: t.string }),
  t.partial({ values: t.array(t.string) }),
])

export const labelSelectorCodec = t.partial({
  matchLabels: t.record(t.string, t.string),
  matchExpressions: t.array(labelSelectorRequirementCodec),
})
export type LabelSelectorWire = t.TypeOf<typeof labelSelectorCodec>

export const labelSelectorDescriptions = {
  matchLabels: 'Labels that must all be present with exactly these values.',
  matchExpressions: 'Requirements that must all hold: In and NotIn take values, Exists and DoesNotExist take none.',
} as const

/** Builds a whole-object codec: `metadata` plus the kind's `spec`, both required. */
export const objectCodec = <S extends t.Mixed>(name: string, spec: S) =>
  t.type({ metadata: objectMetaCodec, spec }, name)

/** As `objectCodec`, for kinds whose `spec` may be left out entirely (every field optional). */
export const objectWithOptionalSpecCodec = <S extends t.Mixed>(name: string, spec: S) =>
  t.intersection([t.type({ metadata: objectMetaCodec }), t.partial({ spec })], name)
