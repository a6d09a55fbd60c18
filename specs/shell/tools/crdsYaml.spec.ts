// deploy/manifests/10-crds.yaml is generated: it must be exactly what the generator writes now, so
// nobody edits the YAML by hand and no change to a codec or rule goes unshipped.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { parseAllDocuments, visit } from 'yaml'
import { buildCrds } from '../../../core/crd/catalog.js'
import { CRDS_PATH, HEADER, crdsYaml, renderCrds } from '../../../shell/tools/crdsYaml.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const committed = readFileSync(`${root}${CRDS_PATH}`, 'utf8')
const generated = crdsYaml()
const built = buildCrds()
const docs = E.isRight(built) ? built.right : []

t.test('the committed file is what the generator writes', async (t) => {
  t.ok(E.isRight(generated), 'the definitions render')
  if (E.isLeft(generated)) return
  // Not t.equal on the whole text: on a difference, name the first line that differs.
  const want = generated.right.split('\n')
  const got = committed.split('\n')
  const first = want.findIndex((line, i) => got[i] !== line)
  t.equal(first === -1 && want.length === got.length ? 'current' : `differs from line ${(first === -1 ? want.length : first) + 1}`, 'current', `${CRDS_PATH} is stale: run \`make crds\``)
})

t.test('it opens with the do-not-edit header and holds the nine CRDs, parsed back unchanged', async (t) => {
  t.ok(committed.startsWith(`${HEADER}\n---\n`))
  const parsed = parseAllDocuments(committed)
  t.equal(parsed.length, 9)
  t.same(
    parsed.map((d) => d.toJS() as unknown),
    docs.map((d) => d.crd),
    'YAML round trip gives the definitions back',
  )
  t.ok(parsed.every((d) => d.errors.length === 0))
})

t.test('rendering is stable: keys sorted at every level, the same bytes every time', async (t) => {
  t.equal(renderCrds(docs), renderCrds(docs))
  const keyOrder = (v: unknown): boolean =>
    Array.isArray(v)
      ? v.every(keyOrder)
      : typeof v === 'object' && v !== null
        ? Object.keys(v).every((k, i, ks) => i === 0 || (ks[i - 1] ?? '') < k) && Object.values(v).every(keyOrder)
        : true
  t.ok(parseAllDocuments(committed).every((d) => keyOrder(d.toJS())))
})

t.test('no anchors or aliases: every document reads on its own, as CRD manifests usually do', async (t) => {
  let aliases = 0
  for (const d of parseAllDocuments(committed)) visit(d, { Alias: () => void aliases++ })
  t.equal(aliases, 0)
})

t.test('the BGPPeer document carries its conversion note as a comment', async (t) => {
  const at = committed.indexOf('name: bgppeers.metallb.io')
  const before = committed.lastIndexOf('---\n', at)
  t.match(committed.slice(before, at), /^---\n# v1beta1 and v1beta2 are converted with strategy None/)
})
