// One list of MetalLB kinds: the CRD catalog (core/crd/catalog.ts). Any other list in core/ or shell/
// that names three or more configuration kinds as text (an array, a Set, a union type, an object's
// keys) is a second source that can drift from it; each one fails here with its file and line.
import t from 'tap'
import ts from 'typescript'
import { type Source, lineOf, nodesOf, sourcesUnder } from './sources.js'

const CONFIG_KINDS = new Set(['IPAddressPool', 'L2Advertisement', 'BGPAdvertisement', 'BGPPeer', 'BFDProfile', 'Community'])


/** The kind an item names: a string, a literal type, a record key, or an object's `kind: '...'`. */
const kindOf = (n: ts.Node): string | undefined => {
  if (ts.isStringLiteral(n)) return n.text
  if (ts.isLiteralTypeNode(n) && ts.isStringLiteral(n.literal)) return n.literal.text
  if (ts.isPropertyAssignment(n) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name))) return n.name.text
  if (ts.isObjectLiteralExpression(n))
    for (const p of n.properties)
      if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'kind' && ts.isStringLiteral(p.initializer)) return p.initializer.text
  return undefined
}

const kindsNamed = (nodes: readonly ts.Node[]): number =>
  new Set(nodes.map(kindOf).filter((k): k is string => k !== undefined && CONFIG_KINDS.has(k))).size

/** Every array literal, union type and object literal of a file whose items name >= 3 config kinds. */
export const kindListsIn = (s: Source): string[] =>
  nodesOf(s).flatMap((n) => {
    const items = ts.isArrayLiteralExpression(n)
      ? n.elements
      : ts.isUnionTypeNode(n)
        ? n.types
        : ts.isObjectLiteralExpression(n)
          ? n.properties
          : undefined
    return items !== undefined && kindsNamed(items) >= 3 ? [`${s.path}:${lineOf(s, n)}`] : []
  })

t.test('the finder sees each shape of list', async (t) => {
  const { parse } = await import('./sources.js')
  const rows = [
    { desc: 'array', in: "const a = ['IPAddressPool', 'BGPPeer', 'Community']", want: 1 },
    { desc: 'Set of an array', in: "const a = new Set(['IPAddressPool', 'BGPPeer', 'Community'])", want: 1 },
    { desc: 'union type', in: "type K = 'IPAddressPool' | 'BGPPeer' | 'Community'", want: 1 },
    { desc: 'record keys', in: "const r = { IPAddressPool: 1, BGPPeer: 2, 'Community': 3 }", want: 1 },
    { desc: 'objects with a kind', in: "const a = [{ kind: 'IPAddressPool' }, { kind: 'BGPPeer' }, { kind: 'Community', v: 1 }]", want: 1 },
    { desc: 'two kinds are not a list', in: "const a = ['IPAddressPool', 'BGPPeer']", want: 0 },
    { desc: 'switch cases are not a list', in: "switch (k) { case 'IPAddressPool': case 'BGPPeer': case 'Community': break }", want: 0 },
  ]
  for (const r of rows) t.equal(kindListsIn(parse('x.ts', r.in)).length, r.want, r.desc)
})

t.test('no list of config kinds in core/ or shell/ beside the catalog', async (t) => {
  const found = sourcesUnder('core', 'shell').flatMap(kindListsIn)
  t.same(
    found,
    [],
    'each of these lists kinds the catalog already lists: derive it from core/crd/catalog.ts',
  )
})
