// The part of Kubernetes' OpenAPI v3 schema dialect (apiextensions.k8s.io/v1 JSONSchemaProps) that
// IronLB's CRDs use, and the overlay that decorates a schema derived from a codec. Plain data: the
// generator in shell/tools turns it into YAML.

/** JSON values, as they may appear in `default` and `enum`. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json }

/** One `x-kubernetes-validations` entry: a CEL rule the API server checks on every write. */
export interface ValidationRule {
  readonly rule: string
  /** Shown to the user when the rule is false; should name the field. */
  readonly message?: string
  /** A CEL expression building the message from the value (e.g. to quote the bad text). */
  readonly messageExpression?: string
  /** Where the error is reported, relative to the schema the rule sits on, e.g. ".peerASN". */
  readonly fieldPath?: string
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate'
}

/** The OpenAPI keywords a schema and an overlay share (an overlay sets them on the shape its codec gives). */
interface Constraints {
  readonly description?: string
  readonly format?: string
  readonly default?: Json
  readonly enum?: readonly Json[]
  readonly minimum?: number
  readonly maximum?: number
  readonly minLength?: number
  readonly maxLength?: number
  readonly pattern?: string
  readonly minItems?: number
  readonly maxItems?: number
  readonly maxProperties?: number
}

export interface Schema extends Constraints {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean'
  readonly items?: Schema
  readonly properties?: { readonly [name: string]: Schema }
  readonly additionalProperties?: Schema
  readonly required?: readonly string[]
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[]
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map'
  readonly 'x-kubernetes-list-map-keys'?: readonly string[]
  readonly 'x-kubernetes-map-type'?: 'atomic' | 'granular'
}

/**
 * What a CRD adds to the shape a codec gives: everything except `type`, `items`, `properties`,
 * `additionalProperties` and `required`, which come from the codec alone, so the two never disagree.
 * `rules` become `x-kubernetes-validations`.
 */
export interface Overlay extends Constraints {
  readonly rules?: readonly ValidationRule[]
  readonly listType?: 'atomic' | 'set' | 'map'
  readonly listMapKeys?: readonly string[]
  readonly mapType?: 'atomic' | 'granular'
}

/**
 * Overlays keyed by field path relative to the codec: "" is the codec itself, "spec.addresses" a
 * property, "spec.addresses[]" an array's items, "spec.labels{}" a map's values.
 */
export type Overlays = Readonly<Record<string, Overlay>>

/** Merges overlay sets: later scalar settings win, rules accumulate in order. */
export const mergeOverlays = (...sets: readonly Overlays[]): Overlays => {
  const out: Record<string, Overlay> = {}
  for (const set of sets)
    for (const [path, o] of Object.entries(set)) {
      const before = out[path]
      const rules = [...(before?.rules ?? []), ...(o.rules ?? [])]
      out[path] = { ...before, ...o, ...(rules.length === 0 ? {} : { rules }) }
    }
  return out
}

/** Turns a `{ path: text }` description map (as the codec modules export them) into overlays. */
export const describe = (descriptions: Readonly<Record<string, string>>): Overlays =>
  Object.fromEntries(Object.entries(descriptions).map(([path, description]) => [path, { description }]))

/** Moves overlays under a prefix: `under('spec.x[]', { key: o })` is `{ 'spec.x[].key': o }`. */
export const under = (prefix: string, overlays: Overlays): Overlays =>
  Object.fromEntries(Object.entries(overlays).map(([path, o]) => [joinPath(prefix, path), o]))

/** Joins two field paths: ("spec", "x") is "spec.x", ("spec.x", "[]") is "spec.x[]". */
export const joinPath = (prefix: string, path: string): string =>
  prefix === '' ? path : path === '' ? prefix : /^[[{]/.test(path) ? `${prefix}${path}` : `${prefix}.${path}`
