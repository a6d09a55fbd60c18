// Test helpers for schemas: values a structural schema admits (ignoring CEL rules and patterns), and
// walks over every sub-schema. Not a spec.
import fc from 'fast-check'
import type { Schema } from '../../../core/crd/openApi.js'

/** Random values of the schema's shape: required properties always, optional ones sometimes. */
export const arbitraryFromSchema = (s: Schema): fc.Arbitrary<unknown> => {
  if (s.enum !== undefined) return fc.constantFrom(...s.enum)
  switch (s.type) {
    case 'string':
      return fc.string({ maxLength: Math.min(s.maxLength ?? 8, 8) })
    case 'integer':
      return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1000 })
    case 'number':
      return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true })
    case 'boolean':
      return fc.boolean()
    case 'array':
      return fc.array(arbitraryFromSchema(s.items ?? {}), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) })
    case 'object': {
      if (s.additionalProperties !== undefined)
        return fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), arbitraryFromSchema(s.additionalProperties), { maxKeys: 3 })
      const props = s.properties ?? {}
      const required = new Set(s.required ?? [])
      const record = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arbitraryFromSchema(v)]))
      const requiredKeys = Object.keys(props).filter((k) => required.has(k))
      return fc.record(record, { requiredKeys })
    }
    default:
      return fc.anything()
  }
}

export interface Located {
  readonly path: string
  readonly schema: Schema
}

/** Every sub-schema with its path ("spec.addresses[]", "spec.m{}"), the root first. */
export const allSchemas = (s: Schema, path = ''): Located[] => {
  const join = (p: string): string => (path === '' ? p : /^[[{]/.test(p) ? `${path}${p}` : `${path}.${p}`)
  return [
    { path, schema: s },
    ...(s.items === undefined ? [] : allSchemas(s.items, join('[]'))),
    ...(s.additionalProperties === undefined ? [] : allSchemas(s.additionalProperties, join('{}'))),
    ...Object.entries(s.properties ?? {}).flatMap(([k, v]) => allSchemas(v, join(k))),
  ]
}
