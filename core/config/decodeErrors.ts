// Turns io-ts decode failures into what a person can act on: the field path as kubectl prints it
// ("spec.addresses[1]", 'metadata.labels["app.kubernetes.io/name"]') and a sentence ("expected a
// string, got 5"). Used by every decoder in core/config and core/cluster.
import type * as t from 'io-ts'

export interface FieldProblem {
  readonly field: string
  readonly message: string
}

// io-ts codecs carry their constructor name in `_tag`; the public types do not expose it.
const tagOf = (type: t.Decoder<unknown, unknown>): string => {
  const tag = (type as { readonly _tag?: unknown })._tag
  return typeof tag === 'string' ? tag : ''
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

const segment = (parentTag: string, key: string): string => {
  // Intersections and unions key their members by index: not a field of the object.
  if (parentTag === 'IntersectionType' || parentTag === 'UnionType') return ''
  if (parentTag === 'ArrayType' || parentTag === 'ReadonlyArrayType') return `[${key}]`
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}

const fieldPath = (context: t.Context): string => {
  let path = ''
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]
    const entry = context[i]
    if (parent === undefined || entry === undefined) continue
    path += segment(tagOf(parent.type), entry.key)
  }
  return path.startsWith('.') ? path.slice(1) : path
}

const describeType = (type: t.Decoder<unknown, unknown>): string => {
  const described = type as unknown as {
    readonly name: string
    readonly keys?: Record<string, unknown>
    readonly value?: unknown
    readonly types?: readonly t.Decoder<unknown, unknown>[]
  }
  switch (tagOf(type)) {
    case 'StringType':
      return 'a string'
    case 'NumberType':
      return 'a number'
    case 'BooleanType':
      return 'true or false'
    case 'RefinementType':
      return described.name === 'Int' ? 'a whole number' : described.name
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return 'a list'
    case 'InterfaceType':
    case 'PartialType':
    case 'IntersectionType':
    case 'ExactType':
    case 'StrictType':
      return 'an object'
    case 'DictionaryType':
      return 'a map of names to strings'
    case 'KeyofType':
      return `one of ${Object.keys(described.keys ?? {})
        .map((k) => JSON.stringify(k))
        .join(', ')}`
    case 'LiteralType':
      return JSON.stringify(described.value)
    case 'UnionType':
      return (described.types ?? []).map(describeType).join(' or ')
    default:
      return described.name
  }
}

const MAX_SHOWN = 60

export const describeValue = (value: unknown): string => {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  switch (typeof value) {
    case 'undefined':
      return 'nothing'
    case 'string': {
      const shown = JSON.stringify(value)
      return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN - 4)}..."` : shown
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value)
    case 'object':
      return 'an object'
    default:
      return typeof value
  }
}

const problemOf = (error: t.ValidationError): FieldProblem => {
  const last = error.context[error.context.length - 1]
  const expected = last === undefined ? 'something else' : describeType(last.type)
  const field = fieldPath(error.context)
  return error.value === undefined
    ? { field, message: `is missing (expected ${expected})` }
    : { field, message: `expected ${expected}, got ${describeValue(error.value)}` }
}

/** One problem per field and sentence, in the order io-ts found them. */
export const readableErrors = (errors: t.Errors): FieldProblem[] => {
  const seen = new Set<string>()
  const out: FieldProblem[] = []
  for (const e of errors) {
    const p = problemOf(e)
    const key = `${p.field}\u0000${p.message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push(p)
  }
  return out
}
