import t from 'tap'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MAX_PROBLEMS_PER_FILE, loadObjects, parseManifest } from '../../../shell/yaml/loadObjects.js'

t.test('multi-document files and lists are flattened, empty documents skipped', async (t) => {
  const text = [
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: a}',
    '---',
    '---',
    'apiVersion: v1',
    'kind: List',
    'items:',
    '- {apiVersion: v1, kind: Service, metadata: {name: b}}',
    '- {apiVersion: v1, kind: ServiceList, items: [{apiVersion: v1, kind: Service, metadata: {name: c}}]}',
  ].join('\n')
  const manifest = parseManifest('x.yaml', text)
  t.same(manifest.problems, [])
  t.same(manifest.objects.map((o) => (o.object as { metadata: { name: string } }).metadata.name), ['a', 'b', 'c'])
  t.same(manifest.objects.map((o) => o.origin), ['x.yaml:1', 'x.yaml:6', 'x.yaml:6'], 'each names the line its document starts on')
})

t.test('invalid YAML names file and line', async (t) => {
  const text = 'kind: Service\nmetadata:\n  name: [unclosed\n'
  const { objects, problems } = parseManifest('bad.yaml', text)
  t.same(objects, [])
  t.equal(problems.length, 1)
  t.equal(problems[0]?.file, 'bad.yaml')
  const line = problems[0]?.line ?? 0
  t.ok(line >= 3 && line <= 4, `line ${line} is where the flow sequence breaks`)
})

t.test('every broken document is reported, not just the first; past a bound only a count', async (t) => {
  const broken = (i: number): string => `---\napiVersion: v1\nkind: Service\nmetadata: {name: [b${i}}\n`
  const two = parseManifest('x.yaml', broken(0) + broken(1))
  t.same(two.problems.map((p) => p.line), [4, 8])
  const many = parseManifest('x.yaml', Array.from({ length: MAX_PROBLEMS_PER_FILE + 5 }, (_, i) => broken(i)).join(''))
  t.equal(many.problems.length, MAX_PROBLEMS_PER_FILE + 1)
  t.same(many.problems.at(-1), { file: 'x.yaml', line: undefined, detail: 'and 5 more problems in this file' })
})

t.test('folders are read recursively, in name order, manifests only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-load-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: B\n')
  writeFileSync(join(dir, 'a.yml'), 'apiVersion: v1\nkind: A\n')
  writeFileSync(join(dir, 'sub', 'c.json'), '{"apiVersion": "v1", "kind": "C"}')
  writeFileSync(join(dir, 'notes.txt'), 'kind: Ignored\n')
  const loaded = await loadObjects([dir])
  t.same(loaded.problems, [])
  t.same(loaded.objects.map((o) => (o.object as { kind: string }).kind), ['A', 'B', 'C'])
})

t.test('reading a multi-document file takes time linear in its size', async (t) => {
  // A loader that re-scans the text before each document (the old lineOf) takes ~64 times as long
  // for 8 times the documents, a linear one ~8. A ratio within one run does not care how busy the
  // machine is, and the best of two runs keeps one slow pause from deciding it. The comment lines
  // make the re-scan (which splits lines) weigh more than parsing, so 250 documents are enough.
  const doc = (i: number): string =>
    `---\n${'#\n'.repeat(60)}apiVersion: v1\nkind: Service\nmetadata: {name: svc-${i}, namespace: default}\nspec: {type: LoadBalancer, ports: [{port: 80}]}\n`
  const text = (n: number): string => Array.from({ length: n }, (_, i) => doc(i)).join('')
  const best = (input: string): number => {
    let fastest = Infinity
    for (let i = 0; i < 2; i++) {
      const started = process.hrtime.bigint()
      const { objects } = parseManifest('big.yaml', input)
      fastest = Math.min(fastest, Number(process.hrtime.bigint() - started) / 1e6)
      if (objects.length === 0) throw new Error('nothing read')
    }
    return fastest
  }
  const small = text(250)
  const large = text(2000)
  best(small) // warm-up: the first run also compiles the parser
  const [a, b] = [best(small), best(large)]
  const ratio = b / a
  t.ok(ratio < 16, `250 documents ${a.toFixed(0)} ms, 2,000: ${b.toFixed(0)} ms, ${ratio.toFixed(1)} times as long (linear: ~8, quadratic: ~64)`)
})
