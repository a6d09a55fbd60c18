// The project's own TypeScript sources, parsed once with the compiler API, for the specs that check
// the shape of the tree (kind lists, dead exports, function and file length). Paths are relative to
// the repository root, with forward slashes, so that lists of known offenders read as paths.
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))

export interface Source {
  /** Relative to the repository root, e.g. `shell/kube/rest.ts`. */
  readonly path: string
  readonly file: ts.SourceFile
}

const tsFilesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const p = join(dir, e.name)
      if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'build' ? [] : tsFilesUnder(p)
      return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : []
    })
    .sort()

export const parse = (path: string, text: string): Source => ({
  path,
  file: ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS),
})

/** Every .ts file under the given top-level folders (`core`, `shell`, `specs`). */
export const sourcesUnder = (...folders: readonly string[]): Source[] =>
  folders.flatMap((f) => tsFilesUnder(join(ROOT, f))).map((abs) => parse(relative(ROOT, abs).split('\\').join('/'), readFileSync(abs, 'utf8')))

/** 1-based line of a node's first character (comments before it excluded). */
export const lineOf = (s: Source, node: ts.Node): number => s.file.getLineAndCharacterOfPosition(node.getStart(s.file)).line + 1

export const endLineOf = (s: Source, node: ts.Node): number => s.file.getLineAndCharacterOfPosition(node.getEnd()).line + 1

/** Every node of a file, depth first. */
export const nodesOf = (s: Source): ts.Node[] => {
  const out: ts.Node[] = []
  const visit = (n: ts.Node): void => {
    out.push(n)
    ts.forEachChild(n, visit)
  }
  visit(s.file)
  return out
}
