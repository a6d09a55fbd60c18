import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import * as io from 'io-ts'
import { type FieldProblem, describeValue, readableErrors } from '../../../core/config/decodeErrors.js'

const codec = io.intersection([
  io.type({ spec: io.type({ addresses: io.array(io.string) }) }),
  io.partial({
    metadata: io.partial({ labels: io.record(io.string, io.string) }),
    count: io.Int,
    flag: io.boolean,
    mode: io.keyof({ internal: null, external: null }),
    exprs: io.array(io.intersection([io.type({ key: io.string }), io.partial({ values: io.array(io.string) })])),
  }),
])

const problems = (u: unknown): FieldProblem[] => {
  const r = codec.decode(u)
  return E.isLeft(r) ? readableErrors(r.left) : []
}

const rows: ReadonlyArray<{ desc: string; in: unknown; want: FieldProblem[] }> = [
  { desc: 'valid', in: { spec: { addresses: ['a'] } }, want: [] },
  { desc: 'missing field', in: { spec: {} }, want: [{ field: 'spec.addresses', message: 'is missing (expected a list)' }] },
  {
    desc: 'wrong element type, indexed path',
    in: { spec: { addresses: ['a', 5] } },
    want: [{ field: 'spec.addresses[1]', message: 'expected a string, got 5' }],
  },
  { desc: 'object where a list goes', in: { spec: { addresses: {} } }, want: [{ field: 'spec.addresses', message: 'expected a list, got an object' }] },
  { desc: 'not a whole number', in: { spec: { addresses: [] }, count: 2.5 }, want: [{ field: 'count', message: 'expected a whole number, got 2.5' }] },
  { desc: 'string for a boolean', in: { spec: { addresses: [] }, flag: 'yes' }, want: [{ field: 'flag', message: 'expected true or false, got "yes"' }] },
  {
    desc: 'enum',
    in: { spec: { addresses: [] }, mode: 'both' },
    want: [{ field: 'mode', message: 'expected one of "internal", "external", got "both"' }],
  },
  {
    desc: 'map keys with dots and slashes are quoted',
    in: { spec: { addresses: [] }, metadata: { labels: { 'app.kubernetes.io/name': 1 } } },
    want: [{ field: 'metadata.labels["app.kubernetes.io/name"]', message: 'expected a string, got 1' }],
  },
  {
    desc: 'intersection members do not show in the path',
    in: { spec: { addresses: [] }, exprs: [{ key: 'a' }, { key: 'b', values: [null] }] },
    want: [{ field: 'exprs[1].values[0]', message: 'expected a string, got null' }],
  },
  {
    desc: 'every error is listed',
    in: { spec: { addresses: [1, 2] }, count: 'x' },
    want: [
      { field: 'spec.addresses[0]', message: 'expected a string, got 1' },
      { field: 'spec.addresses[1]', message: 'expected a string, got 2' },
      { field: 'count', message: 'expected a whole number, got "x"' },
    ],
  },
  { desc: 'not an object at all', in: 7, want: [{ field: '', message: 'expected an object, got 7' }] },
]

t.test('readable io-ts errors', async (t) => {
  for (const row of rows) t.same(problems(row.in), row.want, row.desc)
})

t.test('long strings are cut', async (t) => {
  const shown = describeValue('x'.repeat(500))
  t.ok(shown.length <= 60 && shown.endsWith('..."'))
})

t.test('never throws, and every failure yields at least one problem', async (t) => {
  fc.assert(
    fc.property(fc.jsonValue(), (u) => {
      const r = codec.decode(u)
      return E.isRight(r) || readableErrors(r.left).length > 0
    }),
  )
  t.pass('total')
})
