import t from 'tap'
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { YamlError, loadObjects, parseManifest } from '../../../shell/yaml/loadObjects.js'

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
  const got = parseManifest('x.yaml', text).map((o) => (o.object as { metadata: { name: string } }).metadata.name)
  t.same(got, ['a', 'b', 'c'])
  t.same(parseManifest('x.yaml', text)[0]?.origin, 'x.yaml:1')
})

t.test('invalid YAML names file and line', async (t) => {
  const text = 'kind: Service\nmetadata:\n  name: [unclosed\n'
  let thrown: unknown
  try {
    parseManifest('bad.yaml', text)
  } catch (e) {
    thrown = e
  }
  t.ok(thrown instanceof YamlError, 'throws a YamlError')
  if (thrown instanceof YamlError) {
    t.equal(thrown.file, 'bad.yaml')
    t.ok(thrown.line >= 3 && thrown.line <= 4, `line ${thrown.line} is where the flow sequence breaks`)
  }
})

t.test('folders are read recursively, in name order, manifests only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-load-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'b.yaml'), 'kind: B\n')
  writeFileSync(join(dir, 'a.yml'), 'kind: A\n')
  writeFileSync(join(dir, 'sub', 'c.json'), '{"kind": "C"}')
  writeFileSync(join(dir, 'notes.txt'), 'kind: Ignored\n')
  const kinds = (await loadObjects([dir])).map((o) => (o.object as { kind: string }).kind)
  t.same(kinds, ['A', 'B', 'C'])
})
