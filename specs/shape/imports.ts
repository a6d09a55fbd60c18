// Who imports what, read from the syntax of every file (no type checker: it would cost a minute per
// run). A file's exports are its exported declarations, `export { a }` lists and forwards
// (`export { a } from './b.js'`); a use is a named import, a property read through a namespace import
// (`ns.a`), a name destructured from or read off a dynamic `import('./b.js')`. A use of a forward is
// a use of what it forwards. Only relative specifiers count: packages are not ours to check.
import { dirname, join, normalize } from 'node:path'
import ts from 'typescript'
import { type Source, lineOf } from './sources.js'

export interface Export {
  readonly file: string
  readonly name: string
  readonly line: number
  /** Set on `export { name } from './other.js'`: the file and name it forwards. */
  readonly forwards?: { readonly file: string; readonly name: string }
}

export interface ImportGraph {
  readonly exports: readonly Export[]
  /** `file#name` -> the files that use it. */
  readonly usedBy: ReadonlyMap<string, ReadonlySet<string>>
  /** Files loaded by path: `new URL('./worker.js', import.meta.url)` and the like. */
  readonly loadedByPath: ReadonlySet<string>
  /** Files some other file imports in any way. */
  readonly imported: ReadonlySet<string>
}

const ALL = '*'

/** `./x.js` from `shell/a/b.ts` -> `shell/a/x.ts`, if that is one of ours. */
const resolve = (from: string, spec: string, known: ReadonlySet<string>): string | undefined => {
  if (!spec.startsWith('.')) return undefined
  const p = normalize(join(dirname(from), spec)).split('\\').join('/')
  const candidates = [p.replace(/\.js$/, '.ts'), p, `${p}.ts`, `${p}/index.ts`]
  return candidates.find((c) => known.has(c))
}

const hasExport = (n: ts.Node): boolean =>
  ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

const bindingNames = (b: ts.BindingName): string[] =>
  ts.isIdentifier(b) ? [b.text] : b.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)))

const exportsOf = (s: Source, known: ReadonlySet<string>): Export[] =>
  s.file.statements.flatMap((st): Export[] => {
    const at = (name: string, node: ts.Node = st): Export => ({ file: s.path, name, line: lineOf(s, node) })
    if (ts.isExportDeclaration(st)) {
      const target = st.moduleSpecifier !== undefined && ts.isStringLiteral(st.moduleSpecifier) ? resolve(s.path, st.moduleSpecifier.text, known) : undefined
      if (st.exportClause === undefined || !ts.isNamedExports(st.exportClause)) return [] // `export * from`: none in this tree
      return st.exportClause.elements.map((e) => {
        const local = (e.propertyName ?? e.name).text
        return target === undefined ? at(e.name.text, e) : { ...at(e.name.text, e), forwards: { file: target, name: local } }
      })
    }
    if (ts.isExportAssignment(st)) return [at('default')]
    if (!hasExport(st)) return []
    if (ts.isVariableStatement(st)) return st.declarationList.declarations.flatMap((d) => bindingNames(d.name).map((n) => at(n, d)))
    const named = st as ts.Node & { readonly name?: ts.Node }
    return named.name !== undefined && ts.isIdentifier(named.name) ? [at(named.name.text)] : [at('default')]
  })

const isDeclarationOrMemberName = (n: ts.Identifier): boolean =>
  ts.isNamespaceImport(n.parent) ||
  (ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) ||
  ((ts.isPropertyAssignment(n.parent) || ts.isPropertySignature(n.parent) || ts.isMethodDeclaration(n.parent)) && n.parent.name === n)

/** The names a file reads through the namespace identifier `ns`; ALL if it passes `ns` itself around. */
const namespaceReads = (s: Source, ns: string): string[] => {
  const out: string[] = []
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === ns) out.push(n.name.text)
    else if (ts.isQualifiedName(n) && ts.isIdentifier(n.left) && n.left.text === ns) out.push(n.right.text)
    else if (ts.isIdentifier(n) && n.text === ns && !isDeclarationOrMemberName(n)) out.push(ALL)
    else ts.forEachChild(n, visit)
  }
  visit(s.file)
  return out
}

/** What a dynamic `import('...')` call takes: destructured names, a property read, or everything. */
const dynamicReads = (call: ts.CallExpression): string[] => {
  let n: ts.Node = call
  while (ts.isAwaitExpression(n.parent) || ts.isParenthesizedExpression(n.parent)) n = n.parent
  const p = n.parent
  if (ts.isVariableDeclaration(p) && ts.isObjectBindingPattern(p.name))
    return p.name.elements.map((e) => (e.propertyName !== undefined && ts.isIdentifier(e.propertyName) ? e.propertyName.text : ts.isIdentifier(e.name) ? e.name.text : ALL))
  if (ts.isPropertyAccessExpression(p) && p.expression === n) return [p.name.text]
  return [ALL]
}

const isImportMetaUrl = (n: ts.Node | undefined): boolean =>
  n !== undefined && ts.isPropertyAccessExpression(n) && ts.isMetaProperty(n.expression) && n.name.text === 'url'

interface Use {
  readonly by: string
  readonly file: string
  readonly name: string
}

const usesIn = (s: Source, known: ReadonlySet<string>, loadedByPath: Set<string>): Use[] => {
  const uses: Use[] = []
  const use = (spec: string, names: readonly string[]): void => {
    const file = resolve(s.path, spec, known)
    if (file !== undefined) for (const name of names.length === 0 ? [''] : names) uses.push({ by: s.path, file, name })
  }
  for (const st of s.file.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue
    const spec = st.moduleSpecifier.text
    const clause = st.importClause
    if (clause === undefined) {
      use(spec, []) // a side-effect import
      continue
    }
    const names: string[] = clause.name !== undefined ? ['default'] : []
    const nb = clause.namedBindings
    if (nb !== undefined && ts.isNamedImports(nb)) names.push(...nb.elements.map((e) => (e.propertyName ?? e.name).text))
    if (nb !== undefined && ts.isNamespaceImport(nb)) names.push(...namespaceReads(s, nb.name.text))
    use(spec, names)
  }
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] !== undefined && ts.isStringLiteral(n.arguments[0]))
      use(n.arguments[0].text, dynamicReads(n))
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'URL') {
      const [a, b] = n.arguments ?? []
      const file = a !== undefined && ts.isStringLiteral(a) && isImportMetaUrl(b) ? resolve(s.path, a.text, known) : undefined
      if (file !== undefined) loadedByPath.add(file)
    }
    if (ts.isExportDeclaration(n) && n.moduleSpecifier !== undefined && ts.isStringLiteral(n.moduleSpecifier)) use(n.moduleSpecifier.text, [])
    ts.forEachChild(n, visit)
  }
  visit(s.file)
  return uses
}

export const importGraph = (sources: readonly Source[]): ImportGraph => {
  const known = new Set(sources.map((s) => s.path))
  const exports = sources.flatMap((s) => exportsOf(s, known))
  const byKey = new Map(exports.map((e) => [`${e.file}#${e.name}`, e]))
  const loadedByPath = new Set<string>()
  const usedBy = new Map<string, Set<string>>()
  const imported = new Set<string>()
  const mark = (file: string, name: string, by: string, depth = 0): void => {
    const names = name === ALL ? exports.filter((e) => e.file === file).map((e) => e.name) : [name]
    for (const n of names) {
      const key = `${file}#${n}`
      const set = usedBy.get(key) ?? new Set<string>()
      usedBy.set(key, set)
      if (set.has(by)) continue
      set.add(by)
      const fwd = byKey.get(key)?.forwards
      if (fwd !== undefined && depth < 20) mark(fwd.file, fwd.name, by, depth + 1)
    }
  }
  for (const u of sources.flatMap((s) => usesIn(s, known, loadedByPath))) {
    if (u.file !== u.by) imported.add(u.file)
    if (u.name !== '') mark(u.file, u.name, u.by)
  }
  return { exports, usedBy, loadedByPath, imported }
}
