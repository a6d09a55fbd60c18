// The fast reader gives exactly what the `yaml` package gives, or steps aside: for scalars the two
// libraries resolve differently by default (js-yaml's `0b101`, `-0`, null keys), for random
// Kubernetes-like documents, and for whole files (objects, origins and problems the same as a
// reading by the `yaml` package alone).
import t from 'tap'
import fc from 'fast-check'
import { Composer, Parser, parse, stringify } from 'yaml'
import { readFast } from '../../../shell/yaml/fastDocument.js'
import { parseManifest } from '../../../shell/yaml/loadObjects.js'

/** Same value, leaf by leaf with Object.is (so -0, NaN and 1 vs "1" count). */
const sameValue = (a: unknown, b: unknown): boolean => {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]))
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  }
  return Object.is(a, b)
}

/** What the fast path must agree with: the `yaml` package's value, or undefined when it errs. */
const slowValue = (text: string): unknown => {
  const docs = [...new Composer().compose(new Parser().parse(text))]
  const first = docs[0]
  if (first === undefined) return null // nothing but blanks and comments: an empty document
  return docs.length > 1 || first.errors.length > 0 ? undefined : first.toJS({ maxAliasCount: -1 })
}

const SCALARS = [
  '0o17', '0x1F', '0b101', '1e3', '1E3', '1.5e3', '+1', '-0', '.5', '5.', '.inf', '-.Inf', '+.INF', '.NaN', '.nan', '~', 'null', 'Null',
  'NULL', 'TRUE', 'True', 'true', 'yes', 'on', 'off', '012', '+12', '1_000', '2026-01-01', '2026-01-01T00:00:00Z', '0.1', '-1.5', '1:20',
  '0777', '08', '.', 'infinity', '9007199254740993', '1e400', '-.0', '12e03', '0e0', '', '"1"', "'true'", '-1e-3', 'fAlse', '0X1F', '1',
  'a b', '"x\\ny"', "'it''s'", '[1, "2", true, null]', '{b: 1, c: [x]}', '|\n  x\n  y', '>\n  x\n  y', 'http://x:80/', 'nginx:1.25',
]

t.test('scalars resolve as in the yaml package, or go the slow way', async (t) => {
  for (const s of SCALARS) {
    const text = `v: ${s}\n`
    const fast = readFast(text)
    if (fast._tag === 'Read') t.ok(sameValue(fast.value, parse(text)), `v: ${s}`)
  }
  for (const k of ['~', 'null', 'NULL', '1', 'true', '1.0', '0x10', '"a"', '-0', '.inf', "''", '0o10', '1e2', 'a b']) {
    const text = `${k}: v\n`
    const fast = readFast(text)
    if (fast._tag === 'Read') t.ok(sameValue(fast.value, parse(text)), `key ${k}`)
  }
  t.equal(readFast('~: v\n')._tag, 'Slow', 'a null key is the slow way (js-yaml calls it "null", the yaml package "")')
  t.equal(readFast('a: &x 1\nb: *x\n')._tag, 'Slow', 'aliases are the slow way (their expansion is bounded there)')
  t.equal(readFast('a: !!str 1\n')._tag, 'Slow', 'tags are the slow way')
  t.equal(readFast('a: [unclosed\n')._tag, 'Slow', 'an error is said by the slow way')
  t.equal(readFast('a: 1\na: 2\n')._tag, 'Slow', 'a duplicate key is an error, said the slow way')
  // Found by the property below: js-yaml takes a quoted scalar that runs on at column 0, the yaml package refuses it.
  t.equal(readFast("a: '\nb'c: 1\n")._tag, 'Slow', 'a quoted scalar over lines is the slow way')
  // Found by the fuzz property: each is read differently by the two, so each goes the slow way.
  for (const text of ['[]: x\n', '{~}\n', '{a, null}\n', '---a\n', 'a: |1\n  x\n', '? a\n', 'a:\t1\n', ' >\n#\n', 'a: {b: 1,\n  c: 2}\n', '"x"#c\n', '[a]#\n', '  - a\n- b\n'])
    t.equal(readFast(text)._tag, 'Slow', JSON.stringify(text))
  // Found by the random-text property once: after an empty entry of a nested or indented sequence,
  // js-yaml takes a `-` at a lesser indent into that sequence ([[null, null]] for the first; the
  // yaml package reads [[null], null]). The rest are its siblings, found by hand.
  for (const text of ['- - \n- ', '- -\n-\n', '- - \n- b', '- - # c\n- ', '-\n  - \n- ', '- a:\n  - \n- ', 'a:\n  - \n- ', '- - \n - ', '- - a\n  - \n- '])
    t.equal(readFast(text)._tag, 'Slow', JSON.stringify(text))
  // Found by the raw-text property at 500,000 runs: the apostrophe in the key `k0'` evened the
  // line's count of quotes, so the old count missed the value's quote that runs on (js-yaml reads
  // {"k0'": " k1", "it''s'": 15}, the yaml package refuses it). Beside it, siblings found by hand:
  // a plain word's quote before an open one, and a lone carriage return (a line break to js-yaml, a
  // letter to the yaml package).
  // And at 2,000,000 runs, a flow collection as a key of a flow mapping: {"": null} to js-yaml, {"[]": null} to the yaml package.
  for (const text of ['{[]}\n', '{a: 1, [b]}\n', '[a, {{b: c}}]\n']) t.equal(readFast(text)._tag, 'Slow', JSON.stringify(text))
  for (const text of ["k0': '\nk1'it''s': 0o17\n", "x 'y: '\n  z''\n", ":'a: ':\nb''\n", "a: 'x\rb'\n", 'a: x\r', '- a\r- b\n', 'a: 1 # c\rb: 2\n'])
    t.equal(readFast(text)._tag, 'Slow', JSON.stringify(text))
  // A quote inside a plain word, or quoted scalars that close on their line, stay the fast way.
  for (const [text, want] of [["a: it's\n", { a: "it's" }], ["a: x - 'y\n", { a: "x - 'y" }], ["a: 'it''s' # it's\n", { a: "it's" }], ['a: [x, \'y\', {b: "c\\""}]\r\n', { a: ['x', 'y', { b: 'c"' }] }]] as const)
    t.same(readFast(text), { _tag: 'Read', value: want }, JSON.stringify(text))
  // An empty entry at column 0 has no lesser indent after it: still the fast way, and the same value.
  for (const [text, want] of [['- \n- \n', [null, null]], ['a:\n- \n- \nb: 1\n', { a: [null, null], b: 1 }], ['- - a\n- \n', [['a'], null]]] as const)
    t.same(readFast(text), { _tag: 'Read', value: want }, JSON.stringify(text))
  t.same(readFast('apiVersion: v1\nkind: Service\n'), { _tag: 'Read', value: { apiVersion: 'v1', kind: 'Service' } })
})

t.test('random block sequences, nested and indented, with empty entries: what the fast path reads, the yaml package reads alike', async (t) => {
  // Lines of an indent, one to three dashes and a short value (often none): the shapes of the class
  // above, which the random-text property below meets only rarely.
  const line = fc.tuple(fc.constantFrom('', ' ', '  ', '    '), fc.integer({ min: 1, max: 3 }), fc.constantFrom('', ' ', ' a', ' 1', ' a:', ' a: b', ' # c', ' []', " ''"))
  let read = 0
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), fc.boolean(), (lines, underKey) => {
      const text = (underKey ? 'k:\n' : '') + lines.map(([indent, dashes, v]) => indent + '- '.repeat(dashes - 1) + '-' + v).join('\n') + '\n'
      const fast = readFast(text)
      if (fast._tag === 'Slow') return true
      read++
      const slow = slowValue(text)
      return slow !== undefined && sameValue(fast.value, slow)
    }),
    { numRuns: 5_000 },
  )
  t.ok(read > 500, `the fast path read ${read} of the 5,000 texts, so the property tested it`)
})

// Kubernetes-like documents: mappings and lists of scalars from the table above and random strings.
const scalar = fc.oneof(fc.constantFrom(...SCALARS.filter((s) => !s.includes('\n'))), fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null))
const key = fc.oneof(fc.constantFrom('apiVersion', 'kind', 'name', 'labels', '1', 'true', 'null', '-0', '0o7', 'a:b', 'a b'), fc.string({ minLength: 1, maxLength: 8 }))
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
})).map

t.test('random documents: the fast value is the yaml package value, whatever style they are written in', async () => {
  fc.assert(
    fc.property(value, fc.constantFrom('block', 'flow'), (doc, style) => {
      const text = stringify(doc, style === 'flow' ? { collectionStyle: 'flow' } : {})
      const fast = readFast(text)
      if (fast._tag === 'Slow') return true
      const slow = slowValue(text)
      return slow !== undefined && sameValue(fast.value, slow)
    }),
    { numRuns: 5_000 },
  )
  // Raw text, as people write it: scalars from the table and random words in a small mapping.
  const word = fc.oneof(fc.constantFrom(...SCALARS.filter((s) => !s.includes('\n'))), fc.stringMatching(/^[ -~]{0,12}$/))
  fc.assert(
    fc.property(fc.array(fc.tuple(word, word), { minLength: 1, maxLength: 4 }), (pairs) => {
      const text = pairs.map(([k, v], i) => `k${i}${k.replace(/[:#\s]/g, '')}: ${v}`).join('\n') + '\n'
      const fast = readFast(text)
      if (fast._tag === 'Slow') return true
      const slow = slowValue(text)
      return slow !== undefined && sameValue(fast.value, slow)
    }),
    { numRuns: 5_000 },
  )
})

t.test('random text from the characters of YAML: what the fast path reads, the yaml package reads to the same value', async (t) => {
  const piece = fc.constantFrom('a', 'b', '1', ':', ': ', ' ', '  ', '\n', '\n  ', '\r', '\r\n', '\t', '-', '- ', '[', ']', '{', '}', ',', '#', ' #', '|', '>', '?', "'", '"', '\\', '0o7', '.5', 'e3', 'true', '~', 'null')
  let read = 0
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
      const text = pieces.join('')
      const fast = readFast(text)
      if (fast._tag === 'Slow') return true
      read++
      const slow = slowValue(text)
      return slow !== undefined && sameValue(fast.value, slow)
    }),
    { numRuns: 20_000 },
  )
  t.ok(read > 2_000, `the fast path read ${read} of the 20,000 texts, so the property tested it`)
})

t.test('random mappings with quotes in plain words and quoted scalars over lines: what the fast path reads, the yaml package reads alike', async (t) => {
  // The class of the key `k0'` above: words of letters, quotes, spaces and indicators, some lines indented.
  const word = (pieces: string[]) => fc.array(fc.constantFrom(...pieces), { maxLength: 4 }).map((p) => p.join(''))
  const line = fc.tuple(fc.constantFrom('', '', '', '  '), word(['a', 'b', "'", '"']), word(['a', 'b', ' ', "'", '"', "''", ' #', '\\']))
  let read = 0
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), (lines) => {
      const text = lines.map(([indent, k, v], i) => `${indent}k${i}${k}: ${v}`).join('\n') + '\n'
      const fast = readFast(text)
      if (fast._tag === 'Slow') return true
      read++
      const slow = slowValue(text)
      return slow !== undefined && sameValue(fast.value, slow)
    }),
    { numRuns: 10_000 },
  )
  t.ok(read > 1_500, `the fast path read ${read} of the 10,000 texts, so the property tested it`)
})

/** The whole file read by the yaml package alone, as parseManifest read it before the fast path. */
const slowManifestValues = (text: string): unknown[] => {
  const out: unknown[] = []
  for (const doc of new Composer().compose(new Parser().parse(text))) if (doc.errors.length === 0 && doc.contents !== null) out.push(doc.toJS({ maxAliasCount: -1 }))
  return out
}

t.test('whole files: the same objects, origins and problems with and without the fast path', async (t) => {
  const text = [
    '# a comment before the first document',
    '',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: a, labels: {n: "1", m: 0o17}}',
    '--- # a comment on the marker line',
    '# and one above the content',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: b, annotations: {x: &y z, w: *y}}',
    '---',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: [broken}',
    '--- {apiVersion: v1, kind: Service, metadata: {name: c}}',
    '---',
    '- not an object',
  ].join('\n')
  const m = parseManifest('f.yaml', text)
  t.same(
    m.objects.map((o) => [(o.object as { metadata: { name: string } }).metadata.name, o.origin]),
    [['a', 'f.yaml:4'], ['b', 'f.yaml:9'], ['c', 'f.yaml:17']],
    'fast (a), slow for an alias (b), slow for content on the marker line (c): each origin is its first content line',
  )
  const named = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { metadata?: { name?: unknown } }).metadata?.name === 'string'
  t.same(m.objects.map((o) => o.object), slowManifestValues(text).filter(named), 'the values the yaml package alone reads')
  t.same(
    m.problems.map((p) => [p.line, p.detail.split(':')[0]]),
    [[16, 'invalid YAML'], [19, 'document 6']],
    'the broken document and the list are named by line and number, as the slow way counts them',
  )
})
