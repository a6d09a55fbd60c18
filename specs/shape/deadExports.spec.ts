// Export only what is imported (issue 9): every export of core/ and shell/ is used by some other file
// (specs count: a spec is a user), and every file there is imported by something or is a root, a
// file something runs by path. An export used only in its own file should lose `export`; one used
// nowhere should go. Each offender fails here with its file, line and which of the two it is.
import t from 'tap'
import ts from 'typescript'
import { type ImportGraph, importGraph } from './imports.js'
import { type Source, nodesOf, parse, sourcesUnder } from './sources.js'

/** Files run by path, never imported; each with what runs it. */
const ROOTS: ReadonlyMap<string, string> = new Map([
  ['shell/cli/ironlb.ts', 'the ironlb binary (package.json bin), which imports the daemons'],
  ['shell/lab/cli.ts', 'the ironlb-lab binary (package.json bin, shell/lab/lab.mk)'],
  ['shell/lab/agent.ts', 'run by the lab in each node namespace (shell/lab/paths.ts agentEntry)'],
  ['shell/tools/genCrds.ts', 'make crds and its check (deploy/crds.mk)'],
])

export interface Offender {
  readonly where: string
  readonly what: string
}

const usedInOwnFile = (s: Source, name: string): boolean => nodesOf(s).filter((n) => ts.isIdentifier(n) && n.text === name).length > 1

/** Dead or over-exported names of the checked files, and checked files nothing imports or runs. */
export const offenders = (sources: readonly Source[], checked: (path: string) => boolean, roots: ReadonlySet<string>): Offender[] => {
  const g: ImportGraph = importGraph(sources)
  const byPath = new Map(sources.map((s) => [s.path, s]))
  const deadExports = g.exports.flatMap((e): Offender[] => {
    if (!checked(e.file) || roots.has(e.file) || g.loadedByPath.has(e.file)) return []
    const users = [...(g.usedBy.get(`${e.file}#${e.name}`) ?? [])].filter((f) => f !== e.file)
    if (users.length > 0) return []
    const own = byPath.get(e.file)
    const what = own !== undefined && usedInOwnFile(own, e.name) ? 'used only in its own file: un-export it' : 'used nowhere: delete it'
    return [{ where: `${e.file}:${e.line} ${e.name}`, what }]
  })
  const unreached = sources
    .filter((s) => checked(s.path) && !roots.has(s.path) && !g.loadedByPath.has(s.path) && !g.imported.has(s.path))
    .map((s) => ({ where: s.path, what: 'imported by nothing and run by nothing: delete it, or list it as a root with why' }))
  return [...deadExports, ...unreached]
}

t.test('the finder', async (t) => {
  const files = (...fs: [string, string][]): Source[] => fs.map(([p, text]) => parse(p, text))
  const inCore = (p: string): boolean => p.startsWith('core/')
  const rows = [
    {
      desc: 'a named import uses one name; the other is dead, a third only used at home',
      in: files(['core/a.ts', 'export const x = 1\nexport const y = 2\nexport const z = 3\nconst w = z'], ['specs/a.spec.ts', "import { x } from '../core/a.js'"]),
      want: ['core/a.ts:2 y used nowhere: delete it', 'core/a.ts:3 z used only in its own file: un-export it'],
    },
    {
      desc: 'a namespace import uses what it reads, types included',
      in: files(['core/a.ts', 'export const x = 1\nexport type T = 1\nexport const y = 2'], ['core/b.ts', "import * as a from './a.js'\nexport const v: a.T = a.x"], ['specs/b.ts', "import { v } from '../core/b.js'"]),
      want: ['core/a.ts:3 y used nowhere: delete it'],
    },
    {
      desc: 'a forward passes the use on; an unused forward is dead itself',
      in: files(['core/a.ts', 'export const x = 1\nexport const y = 2'], ['core/b.ts', "export { x, y } from './a.js'"], ['specs/c.ts', "import { x } from '../core/b.js'"]),
      want: ['core/a.ts:2 y used nowhere: delete it', 'core/b.ts:1 y used nowhere: delete it'],
    },
    {
      desc: 'dynamic imports: destructured and read names',
      in: files(['core/a.ts', 'export const x = 1\nexport const y = 2\nexport const z = 3'], ['specs/c.ts', "const { x } = await import('../core/a.js')\nconst v = (await import('../core/a.js')).z"]),
      want: ['core/a.ts:2 y used nowhere: delete it'],
    },
    {
      desc: 'a file nothing imports; a worker loaded by URL is not one',
      in: files(['core/a.ts', 'const x = 1'], ['core/w.ts', 'const y = 1'], ['core/m.ts', "new Worker(new URL('./w.js', import.meta.url))"]),
      want: ['core/a.ts imported by nothing and run by nothing: delete it, or list it as a root with why', 'core/m.ts imported by nothing and run by nothing: delete it, or list it as a root with why'],
    },
  ]
  for (const r of rows) t.same(offenders(r.in, inCore, new Set()).map((o) => `${o.where} ${o.what}`), r.want, r.desc)
})

t.test('every export of core/ and shell/ is imported by another file; every file is reached', async (t) => {
  const found = offenders(sourcesUnder('core', 'shell', 'specs'), (p) => p.startsWith('core/') || p.startsWith('shell/'), new Set(ROOTS.keys()))
  t.same(found.map((o) => `${o.where}: ${o.what}`), [])
})
