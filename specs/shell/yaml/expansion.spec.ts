import t from 'tap'
import { parseDocument } from 'yaml'
import { EXPANSION_FLOOR, MAX_DEPTH, expansionProblem } from '../../../shell/yaml/expansion.js'

const check = (text: string): string | undefined => {
  const doc = parseDocument(text)
  if (doc.errors.length > 0) throw new Error(`test input is not valid YAML: ${doc.errors[0]?.message}`)
  const p = expansionProblem(doc)
  return p === undefined ? undefined : `${text.slice(0, p.offset).split('\n').length}: ${p.detail}`
}

/** Ten levels of `fan` aliases of the level below: fan^levels values. */
const laughs = (levels: number, fan: number): string => {
  const lines = ['a0: &a0 lol']
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: fan }, () => `*a${i - 1}`).join(', ')}]`)
  return `${lines.join('\n')}\n`
}

const rows: ReadonlyArray<{ desc: string; in: string; want: RegExp | undefined }> = [
  { desc: 'no aliases', in: 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n', want: undefined },
  { desc: 'one scalar aliased 1,000 times', in: `v: &v x\nl: [${Array.from({ length: 1000 }, () => '*v').join(', ')}]\n`, want: undefined },
  { desc: 'a map aliased 100 times', in: `m: &m {a: 1, b: 2, c: [1, 2, 3]}\nl: [${Array.from({ length: 100 }, () => '*m').join(', ')}]\n`, want: undefined },
  { desc: 'four levels of ten: 10,000 values', in: laughs(4, 10), want: undefined },
  { desc: 'ten levels of ten: a billion laughs', in: laughs(10, 10), want: /^\d+: expands to more than 1000000 values/ },
  { desc: 'an alias with no anchor before it', in: 'a: *x\nb: &x 1\n', want: /^1: alias \*x names no anchor before it/ },
  { desc: 'an alias inside its own anchor', in: 'top:\n  a: &x\n    b: *x\n', want: /^3: alias \*x is inside the node it names/ },
  { desc: 'a re-defined anchor: the latest one counts', in: 'a: &x [1]\nb: &x 2\nc: *x\n', want: undefined },
  { desc: 'nesting just within the limit', in: `${'['.repeat(MAX_DEPTH)}${']'.repeat(MAX_DEPTH)}\n`, want: undefined },
  { desc: 'nesting past the limit', in: `${'['.repeat(MAX_DEPTH + 1)}${']'.repeat(MAX_DEPTH + 1)}\n`, want: new RegExp(`^1: nested deeper than ${MAX_DEPTH} levels`) },
]

t.test('expansion rules', async (t) => {
  for (const row of rows) {
    const got = check(row.in)
    if (row.want === undefined) t.equal(got, undefined, row.desc)
    else t.match(got ?? '', row.want, row.desc)
  }
})

t.test('the limit grows with the text: a large document may expand as much, relatively', async (t) => {
  // 40,000 aliases ("*s, ": 4 characters each) of one string: 160 kB of text, a limit of 1.6 M.
  const list = (chars: number): string => `s: &s ${'x'.repeat(chars)}\nl: [${Array.from({ length: 40_000 }, () => '*s').join(', ')}]\n`
  t.match(check(list(1000)) ?? '', /expands to more than 16\d{5} /, '40,000 copies of 1,000 characters: refused')
  t.ok(31 * 40_000 > EXPANSION_FLOOR, 'copies of 30 characters are past the floor')
  t.equal(check(list(30)), undefined, 'but within ten times their text: accepted')
})

t.test('the walk is linear: a wide billion-laughs is refused without expanding it', async (t) => {
  const started = Date.now()
  t.not(check(laughs(30, 30)), undefined)
  t.ok(Date.now() - started < 5000, 'answered at once')
})
