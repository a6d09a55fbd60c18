import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as io from 'io-ts'
import { fieldPaths, schemaFromCodec } from '../../../core/crd/fromCodec.js'
import type { Overlays, Schema } from '../../../core/crd/openApi.js'
import { arbitraryFromSchema } from './mkSchema.js'

const ok = (codec: io.Mixed, overlays: Overlays = {}): Schema => {
  const r = schemaFromCodec(codec, { overlays })
  if (E.isLeft(r)) throw new Error(r.left.join('\n'))
  return r.right
}
const problems = (codec: io.Mixed, overlays: Overlays = {}): readonly string[] => {
  const r = schemaFromCodec(codec, { overlays })
  return E.isLeft(r) ? r.left : []
}

const shapes: ReadonlyArray<{ desc: string; in: io.Mixed; want: Schema }> = [
  { desc: 'string', in: io.string, want: { type: 'string' } },
  { desc: 'number', in: io.number, want: { type: 'number' } },
  { desc: 'Int is an integer', in: io.Int, want: { type: 'integer' } },
  { desc: 'boolean', in: io.boolean, want: { type: 'boolean' } },
  { desc: 'a literal is a one-value enum', in: io.literal('x'), want: { type: 'string', enum: ['x'] } },
  { desc: 'keyof is an enum of the keys', in: io.keyof({ a: null, b: null }), want: { type: 'string', enum: ['a', 'b'] } },
  {
    desc: 'a union of literals is an enum',
    in: io.union([io.literal(1), io.literal(2)]),
    want: { type: 'integer', enum: [1, 2] },
  },
  { desc: 'array', in: io.array(io.string), want: { type: 'array', items: { type: 'string' } } },
  { desc: 'readonly array', in: io.readonlyArray(io.Int), want: { type: 'array', items: { type: 'integer' } } },
  {
    desc: 'record of strings is additionalProperties',
    in: io.record(io.string, io.string),
    want: { type: 'object', additionalProperties: { type: 'string' } },
  },
  {
    desc: 'type: every property required',
    in: io.type({ a: io.string, b: io.Int }),
    want: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['a', 'b'] },
  },
  {
    desc: 'partial: nothing required',
    in: io.partial({ a: io.string }),
    want: { type: 'object', properties: { a: { type: 'string' } } },
  },
  { desc: 'an empty type is a bare object', in: io.type({}), want: { type: 'object' } },
  {
    desc: 'intersection merges properties and required',
    in: io.intersection([io.type({ a: io.string }), io.partial({ b: io.boolean })]),
    want: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'boolean' } }, required: ['a'] },
  },
  {
    desc: 'a refinement is its underlying type',
    in: io.refinement(io.string, (s) => s.length > 0, 'NonEmpty'),
    want: { type: 'string' },
  },
  { desc: 'exact and readonly are transparent', in: io.exact(io.readonly(io.type({ a: io.string }))), want: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] } },
]

t.test('codec shapes become structural schemas', async (t) => {
  for (const row of shapes) t.same(ok(row.in), row.want, row.desc)
})

t.test('overlays decorate the path they name, once even inside an intersection', async (t) => {
  const codec = io.intersection([io.type({ spec: io.type({ n: io.Int }) }), io.partial({ tags: io.array(io.string), m: io.record(io.string, io.string) })])
  const s = ok(codec, {
    '': { description: 'root' },
    spec: { rules: [{ rule: 'true', message: 'm' }] },
    'spec.n': { minimum: 1, maximum: 9, default: 3, format: 'int32', description: 'n' },
    tags: { maxItems: 4, listType: 'set' },
    'tags[]': { maxLength: 10 },
    'm{}': { maxLength: 5 },
    m: { mapType: 'atomic' },
  })
  t.equal(s.description, 'root')
  t.same(s.properties?.['spec']?.['x-kubernetes-validations'], [{ rule: 'true', message: 'm' }], 'one rule, not one per member')
  t.same(s.properties?.['spec']?.properties?.['n'], { type: 'integer', minimum: 1, maximum: 9, default: 3, format: 'int32', description: 'n' })
  t.same(s.properties?.['tags'], { type: 'array', items: { type: 'string', maxLength: 10 }, maxItems: 4, 'x-kubernetes-list-type': 'set' })
  t.same(s.properties?.['m'], { type: 'object', additionalProperties: { type: 'string', maxLength: 5 }, 'x-kubernetes-map-type': 'atomic' })
})

t.test('problems are reported, not dropped', async (t) => {
  const rows: ReadonlyArray<{ desc: string; in: io.Mixed; overlays?: Overlays; want: RegExp }> = [
    { desc: 'overlay on a missing field', in: io.type({ a: io.string }), overlays: { b: { description: 'x' } }, want: /^b: overlay names no field/ },
    { desc: 'overlay on items of a non-array', in: io.type({ a: io.string }), overlays: { 'a[]': {} }, want: /^a\[\]: overlay names no field/ },
    { desc: 'bounds on the wrong type', in: io.type({ a: io.string }), overlays: { a: { minimum: 1 } }, want: /^a: "minimum" does not apply to a field of type string/ },
    { desc: 'list options on a string', in: io.type({ a: io.string }), overlays: { a: { maxItems: 1 } }, want: /"maxItems" does not apply/ },
    { desc: 'a default of another type', in: io.type({ a: io.boolean }), overlays: { a: { default: 1 } }, want: /^a: default 1 is not of type boolean/ },
    { desc: 'a union of objects', in: io.type({ a: io.union([io.string, io.Int]) }), want: /^a: a union of .* has no structural schema/ },
    { desc: 'an enum of mixed types', in: io.union([io.literal('a'), io.literal(1)]), want: /an enum must hold values of one type/ },
    { desc: 'null', in: io.type({ a: io.null }), want: /^a: codec null has no structural schema/ },
    { desc: 'the same field twice in an intersection', in: io.intersection([io.type({ a: io.string }), io.partial({ a: io.string })]), want: /^a: defined twice/ },
    { desc: 'intersecting a map', in: io.intersection([io.record(io.string, io.string), io.type({})]), want: /only objects with named fields/ },
  ]
  for (const row of rows) {
    const found = problems(row.in, row.overlays)
    t.ok(found.some((p) => row.want.test(p)), `${row.desc}: ${found.join('; ')}`)
  }
})

t.test('opaque codecs are not walked', async (t) => {
  const inner = io.type({ deep: io.union([io.string, io.Int]) })
  const r = schemaFromCodec(io.type({ meta: inner }), { opaque: new Map([[inner as io.Mixed, { type: 'object' as const }]]) })
  t.same(r, E.right({ type: 'object', properties: { meta: { type: 'object' } }, required: ['meta'] }))
})

t.test('fieldPaths lists every overlay key the schema accepts', async (t) => {
  const codec = io.type({ a: io.array(io.type({ b: io.string })), m: io.record(io.string, io.Int) })
  const s = ok(codec)
  const paths = fieldPaths(s)
  t.same(paths, ['a', 'a[]', 'a[].b', 'm', 'm{}'])
  const every = Object.fromEntries(paths.map((p) => [p, { description: p }]))
  t.same(problems(codec, every), [], 'each listed path is a valid overlay key')
})

// Whatever the derived schema admits, the codec decodes: the CRD never stores an object of a shape
// the controller cannot read. Random codec trees, random values drawn from their schemas.
const leaf = fc.constantFrom<io.Mixed>(io.string, io.Int, io.boolean, io.keyof({ x: null, y: null }))
const codecTree = fc.letrec<{ node: io.Mixed }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('node').map((c) => io.array(c) as io.Mixed),
    tie('node').map((c) => io.record(io.string, c) as io.Mixed),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('node'), { maxKeys: 3 }).map((props) => io.type(props) as io.Mixed),
    fc.dictionary(fc.constantFrom('d', 'e'), tie('node'), { maxKeys: 2 }).map((props) => io.partial(props) as io.Mixed),
  ),
})).node

t.test('values the derived schema admits decode with the codec', async () => {
  fc.assert(
    fc.property(
      codecTree.chain((codec) => fc.tuple(fc.constant(codec), arbitraryFromSchema(ok(codec)))),
      ([codec, value]) => E.isRight(codec.decode(value)),
    ),
    { numRuns: 300 },
  )
})
