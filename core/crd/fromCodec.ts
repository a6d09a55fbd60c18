// Structural OpenAPI schemas derived from io-ts codecs, so a CRD accepts exactly the shapes the
// controller decodes. The codec decides the shape (types, properties, required fields, enums); an
// overlay (openApi.ts) adds what a codec cannot say: descriptions, defaults, bounds, formats and CEL
// rules. Anything the walker cannot express structurally (a union of non-literals, functions,
// recursion) is reported, as is an overlay that names no field, so nothing is silently dropped.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type Json, type Overlay, type Overlays, type Schema, joinPath } from './openApi.js'

interface DeriveOptions {
  readonly overlays?: Overlays
  /** Codecs rendered as a fixed schema instead of being walked (e.g. ObjectMeta as `{type: object}`). */
  readonly opaque?: ReadonlyMap<t.Mixed, Schema>
}

type Literal = string | number | boolean

const literalType = (v: Literal): 'string' | 'integer' | 'number' | 'boolean' =>
  typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : Number.isInteger(v) ? 'integer' : 'number'

/** The literal values of a union of literals, or undefined when any member is something else. */
const unionLiterals = (codec: t.UnionType<t.Mixed[]>): Literal[] | undefined => {
  const values: Literal[] = []
  for (const member of codec.types) {
    if (!(member instanceof t.LiteralType)) return undefined
    values.push(member.value as Literal)
  }
  return values
}

const enumOf = (values: readonly Literal[], at: string, problems: string[]): Schema => {
  const types = new Set(values.map(literalType))
  const [only] = [...types]
  if (types.size !== 1 || only === undefined) {
    problems.push(`${at || '(root)'}: an enum must hold values of one type, got ${[...types].join(', ')}`)
    return {}
  }
  return { type: only, enum: values }
}

const mergeObjects = (parts: readonly Schema[], at: string, problems: string[]): Schema => {
  const properties: Record<string, Schema> = {}
  const required: string[] = []
  for (const part of parts) {
    if (part.type !== 'object' || part.additionalProperties !== undefined) {
      problems.push(`${at || '(root)'}: only objects with named fields can be intersected`)
      continue
    }
    for (const [name, s] of Object.entries(part.properties ?? {})) {
      if (name in properties) problems.push(`${joinPath(at, name)}: defined twice in an intersection`)
      properties[name] = s
    }
    required.push(...(part.required ?? []))
  }
  return objectSchema(properties, required)
}

const objectSchema = (properties: Record<string, Schema>, required: readonly string[]): Schema => ({
  type: 'object',
  ...(Object.keys(properties).length === 0 ? {} : { properties }),
  ...(required.length === 0 ? {} : { required: [...new Set(required)] }),
})

const KIND_LIMITS: ReadonlyArray<[keyof Overlay, ReadonlyArray<Schema['type']>]> = [
  ['minimum', ['integer', 'number']],
  ['maximum', ['integer', 'number']],
  ['minLength', ['string']],
  ['maxLength', ['string']],
  ['pattern', ['string']],
  ['minItems', ['array']],
  ['maxItems', ['array']],
  ['listType', ['array']],
  ['listMapKeys', ['array']],
  ['maxProperties', ['object']],
  ['mapType', ['object']],
]

const jsonType = (v: Json): Schema['type'] | 'null' =>
  v === null
    ? 'null'
    : Array.isArray(v)
      ? 'array'
      : typeof v === 'object'
        ? 'object'
        : typeof v === 'number'
          ? Number.isInteger(v) ? 'integer' : 'number'
          : (typeof v as 'string' | 'boolean')

const applyOverlay = (base: Schema, o: Overlay | undefined, at: string, problems: string[]): Schema => {
  if (o === undefined) return base
  const where = at || '(root)'
  for (const [key, types] of KIND_LIMITS)
    if (o[key] !== undefined && !types.includes(base.type))
      problems.push(`${where}: "${key}" does not apply to a field of type ${base.type ?? 'unknown'}`)
  if (o.default !== undefined) {
    const dt = jsonType(o.default)
    if (dt !== base.type && !(dt === 'integer' && base.type === 'number'))
      problems.push(`${where}: default ${JSON.stringify(o.default)} is not of type ${base.type ?? 'unknown'}`)
  }
  const { rules, listType, listMapKeys, mapType, ...plain } = o
  return {
    ...base,
    ...plain,
    ...(rules === undefined || rules.length === 0 ? {} : { 'x-kubernetes-validations': [...(base['x-kubernetes-validations'] ?? []), ...rules] }),
    ...(listType === undefined ? {} : { 'x-kubernetes-list-type': listType }),
    ...(listMapKeys === undefined ? {} : { 'x-kubernetes-list-map-keys': listMapKeys }),
    ...(mapType === undefined ? {} : { 'x-kubernetes-map-type': mapType }),
  }
}

/**
 * The structural schema of `codec`, decorated with `options.overlays`, or every problem found.
 * Maps: io-ts `t.record(t.string, X)` becomes `additionalProperties: X`; `t.Int` becomes an integer,
 * other refinements and brands their underlying type.
 */
export const schemaFromCodec = (codec: t.Mixed, options: DeriveOptions = {}): E.Either<readonly string[], Schema> => {
  const overlays = options.overlays ?? {}
  const problems: string[] = []
  const used = new Set<string>()

  const walk = (c: t.Mixed, at: string): Schema => {
    if (at in overlays) used.add(at)
    return applyOverlay(shape(c, at), overlays[at], at, problems)
  }

  // The schema of `c` at path `at`, without the overlay for `at` itself (an intersection's members
  // share its path, and the overlay must be applied once, to the merged result).
  const shape = (c: t.Mixed, at: string): Schema => {
    const fixed = options.opaque?.get(c)
    if (fixed !== undefined) return fixed
    if (c === t.Int) return { type: 'integer' }
    if (c instanceof t.StringType) return { type: 'string' }
    if (c instanceof t.NumberType) return { type: 'number' }
    if (c instanceof t.BooleanType) return { type: 'boolean' }
    if (c instanceof t.LiteralType) return enumOf([c.value as Literal], at, problems)
    if (c instanceof t.KeyofType) return enumOf(Object.keys(c.keys as object), at, problems)
    if (c instanceof t.RefinementType || c instanceof t.ReadonlyType || c instanceof t.ExactType)
      return shape(c.type as t.Mixed, at)
    if (c instanceof t.ArrayType || c instanceof t.ReadonlyArrayType)
      return { type: 'array', items: walk(c.type as t.Mixed, joinPath(at, '[]')) }
    if (c instanceof t.DictionaryType) {
      if (!(c.domain instanceof t.StringType)) problems.push(`${at || '(root)'}: map keys must be strings`)
      return { type: 'object', additionalProperties: walk(c.codomain as t.Mixed, joinPath(at, '{}')) }
    }
    if (c instanceof t.InterfaceType || c instanceof t.PartialType || c instanceof t.StrictType) {
      const props = c.props as Record<string, t.Mixed>
      const properties = Object.fromEntries(Object.entries(props).map(([name, p]) => [name, walk(p, joinPath(at, name))]))
      return objectSchema(properties, c instanceof t.PartialType ? [] : Object.keys(props))
    }
    if (c instanceof t.IntersectionType)
      return mergeObjects((c.types as t.Mixed[]).map((m) => shape(m, at)), at, problems)
    if (c instanceof t.UnionType) {
      const literals = unionLiterals(c as t.UnionType<t.Mixed[]>)
      if (literals !== undefined) return enumOf(literals, at, problems)
      problems.push(`${at || '(root)'}: a union of ${c.name} has no structural schema (only unions of literals do)`)
      return {}
    }
    problems.push(`${at || '(root)'}: codec ${c.name} has no structural schema`)
    return {}
  }

  const schema = walk(codec, '')
  for (const path of Object.keys(overlays)) if (!used.has(path)) problems.push(`${path}: overlay names no field of ${codec.name}`)
  return problems.length === 0 ? E.right(schema) : E.left(problems)
}

/** Every field path of a codec's schema, in the overlay notation ("spec.x", "spec.x[]", "a{}"). */
export const fieldPaths = (schema: Schema, at = ''): string[] => {
  const here = at === '' ? [] : [at]
  if (schema.items !== undefined) return [...here, ...fieldPaths(schema.items, joinPath(at, '[]'))]
  if (schema.additionalProperties !== undefined)
    return [...here, ...fieldPaths(schema.additionalProperties, joinPath(at, '{}'))]
  return [...here, ...Object.entries(schema.properties ?? {}).flatMap(([name, s]) => fieldPaths(s, joinPath(at, name)))]
}
