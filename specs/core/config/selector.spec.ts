import t from 'tap'
import fc from 'fast-check'
import { labelKeyProblem, labelValueProblem, selectorsFrom } from '../../../core/config/selector.js'
import type { LabelSelectorWire } from '../../../core/config/metaCodec.js'
import type { LabelSelector } from '../../../core/model/selector.js'

const check = (wire: readonly LabelSelectorWire[]): { value: LabelSelector[]; errors: string[] } => {
  const errors: string[] = []
  const value = selectorsFrom(wire, 'spec.nodeSelectors', (field, message) => errors.push(`${field}: ${message}`))
  return { value, errors }
}

const rows: ReadonlyArray<{ desc: string; in: LabelSelectorWire[]; want: string[] }> = [
  { desc: 'empty list', in: [], want: [] },
  { desc: 'empty selector', in: [{}], want: [] },
  { desc: 'matchLabels', in: [{ matchLabels: { 'kubernetes.io/hostname': 'node-a' } }], want: [] },
  {
    desc: 'all operators used rightly',
    in: [
      {
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a', 'b'] },
          { key: 'rack', operator: 'NotIn', values: ['1'] },
          { key: 'gpu', operator: 'Exists' },
          { key: 'spot', operator: 'DoesNotExist', values: [] },
        ],
      },
    ],
    want: [],
  },
  {
    desc: 'In without values',
    in: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }],
    want: ['spec.nodeSelectors[0].matchExpressions[0].values: operator In needs at least one value'],
  },
  {
    desc: 'NotIn with an empty list',
    in: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: [] }] }],
    want: ['spec.nodeSelectors[0].matchExpressions[0].values: operator NotIn needs at least one value'],
  },
  {
    desc: 'Exists with values',
    in: [{ matchExpressions: [{ key: 'zone', operator: 'Exists', values: ['a'] }] }],
    want: ['spec.nodeSelectors[0].matchExpressions[0].values: operator Exists takes no values'],
  },
  {
    desc: 'DoesNotExist with values',
    in: [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist', values: ['a'] }] }],
    want: ['spec.nodeSelectors[0].matchExpressions[0].values: operator DoesNotExist takes no values'],
  },
  {
    desc: 'unknown operator',
    in: [{ matchExpressions: [{ key: 'zone', operator: 'Equals', values: ['a'] }] }],
    want: ['spec.nodeSelectors[0].matchExpressions[0].operator: "Equals" is not an operator: use In, NotIn, Exists or DoesNotExist'],
  },
  {
    desc: 'a value listed twice',
    in: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'a'] }] }],
    want: ['spec.nodeSelectors[0].matchExpressions[0].values[1]: value "a" is listed twice'],
  },
  {
    desc: 'an expression given twice (values in another order)',
    in: [
      {
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['a', 'b'] },
          { key: 'zone', operator: 'In', values: ['b', 'a'] },
        ],
      },
    ],
    want: ['spec.nodeSelectors[0].matchExpressions[1]: the same expression (zone In) is given twice'],
  },
  {
    desc: 'a selector given twice in one list',
    in: [{ matchLabels: { a: 'x', b: 'y' } }, { matchLabels: { b: 'y', a: 'x' } }],
    want: ['spec.nodeSelectors[1]: the same selector is given twice in this list'],
  },
  { desc: 'two empty selectors are duplicates', in: [{}, {}], want: ['spec.nodeSelectors[1]: the same selector is given twice in this list'] },
  {
    desc: 'bad label key in matchLabels',
    in: [{ matchLabels: { 'bad key': 'x' } }],
    want: [
      'spec.nodeSelectors[0].matchLabels["bad key"]: label key "bad key" is invalid: the name must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
  },
  {
    desc: 'bad label value in an expression',
    in: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['-a'] }] }],
    want: [
      'spec.nodeSelectors[0].matchExpressions[0].values[0]: label value "-a" is invalid: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
  },
  {
    desc: 'two different invalid selectors are not duplicates of each other',
    in: [
      { matchExpressions: [{ key: 'zone', operator: 'Equals', values: ['a'] }] },
      { matchExpressions: [{ key: 'rack', operator: 'In' }] },
    ],
    want: [
      'spec.nodeSelectors[0].matchExpressions[0].operator: "Equals" is not an operator: use In, NotIn, Exists or DoesNotExist',
      'spec.nodeSelectors[1].matchExpressions[0].values: operator In needs at least one value',
    ],
  },
  {
    desc: 'an invalid expression still tells two selectors apart when the rest is equal',
    in: [
      { matchLabels: { a: 'x' }, matchExpressions: [{ key: 'bad key', operator: 'Exists' }] },
      { matchLabels: { a: 'x' } },
    ],
    want: [
      'spec.nodeSelectors[0].matchExpressions[0].key: label key "bad key" is invalid: the name must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
  },
  {
    desc: 'the same invalid selector twice is still a duplicate',
    in: [
      { matchExpressions: [{ key: 'zone', operator: 'In' }] },
      { matchExpressions: [{ key: 'zone', operator: 'In' }] },
    ],
    want: [
      'spec.nodeSelectors[0].matchExpressions[0].values: operator In needs at least one value',
      'spec.nodeSelectors[1].matchExpressions[0].values: operator In needs at least one value',
      'spec.nodeSelectors[1]: the same selector is given twice in this list',
    ],
  },
]

t.test('selector rules', async (t) => {
  for (const row of rows) t.same(check(row.in).errors, row.want, row.desc)
})

t.test('a valid selector keeps what was written', async (t) => {
  const { value } = check([{ matchLabels: { a: 'x' }, matchExpressions: [{ key: 'b', operator: 'In', values: ['1', '2'] }] }])
  t.same(value, [{ matchLabels: { a: 'x' }, matchExpressions: [{ key: 'b', operator: 'In', values: ['1', '2'] }] }])
})

const keyRows: ReadonlyArray<{ desc: string; in: string; want: boolean }> = [
  { desc: 'plain', in: 'app', want: true },
  { desc: 'prefixed', in: 'app.kubernetes.io/name', want: true },
  { desc: 'empty', in: '', want: false },
  { desc: 'empty name after prefix', in: 'example.com/', want: false },
  { desc: 'uppercase prefix', in: 'Example.com/x', want: false },
  { desc: 'two slashes', in: 'a/b/c', want: false },
  { desc: '63 characters', in: 'a'.repeat(63), want: true },
  { desc: '64 characters', in: 'a'.repeat(64), want: false },
  { desc: 'ends with a dash', in: 'a-', want: false },
]

t.test('label keys', async (t) => {
  for (const row of keyRows) t.equal(labelKeyProblem(row.in) === undefined, row.want, row.desc)
})

t.test('label values', async (t) => {
  t.equal(labelValueProblem(''), undefined, 'empty is allowed')
  t.equal(labelValueProblem('a.b_c-d'), undefined)
  t.not(labelValueProblem('a'.repeat(64)), undefined, 'too long')
})

t.test('any permutation of matchLabels is the same selector', async (t) => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z]{1,5}$/), { minLength: 1, maxLength: 5 }), (keys) => {
      const forward = Object.fromEntries(keys.map((k) => [k, 'v']))
      const backward = Object.fromEntries([...keys].reverse().map((k) => [k, 'v']))
      return check([{ matchLabels: forward }, { matchLabels: backward }]).errors.length === 1
    }),
  )
  t.pass('duplicates found regardless of key order')
})
