// Reads Kubernetes objects from YAML files and folders, as `kubectl apply -f` would find them:
// folders recursively (manifestFiles.ts), multi-document files, and `kind: List` (or any `*List`
// kind with `items`) flattened. Documents are composed one at a time and lines come from one index
// per file, so time and memory grow linearly with the input. Whatever cannot be read is a problem
// naming file and line (and the document, counted from 1), and every problem is kept, not just the
// first; the caller exits 2 on any.
import { readFile } from 'node:fs/promises'
import { Composer, type Document, LineCounter, Parser } from 'yaml'
import { expansionProblem } from './expansion.js'
import { manifestFiles, reasonOf } from './manifestFiles.js'
import { isList, objectProblem } from './objectShape.js'

export interface LoadedObject {
  readonly object: unknown
  /** "path:line" of the document's start, for messages. */
  readonly origin: string
}

export interface InputProblem {
  readonly file: string
  /** 1-based; undefined when the file itself cannot be read. */
  readonly line: number | undefined
  readonly detail: string
}

export const formatProblem = (p: InputProblem): string => `${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.detail}`

export interface Manifest {
  readonly objects: readonly LoadedObject[]
  readonly problems: readonly InputProblem[]
}

/** Binary garbage can hold thousands of broken documents; past this many, only a count is kept. */
export const MAX_PROBLEMS_PER_FILE = 20

const firstLine = (message: string): string => message.split('\n')[0] ?? message

/** The objects a document holds, lists flattened; `where` names list items ("items[3]"). */
const objectsIn = (value: unknown, where: string): { object: unknown; where: string }[] =>
  isList(value) ? value.items.flatMap((item, i) => objectsIn(item, `${where}items[${i}]: `)) : [{ object: value, where }]

export const parseManifest = (file: string, text: string): Manifest => {
  const lines = new LineCounter()
  // An error at the very end (an unclosed bracket) is on the last line, not the empty one after it.
  const lineOf = (offset: number): number => Math.max(1, lines.linePos(Math.min(offset, text.length - 1)).line)
  const objects: LoadedObject[] = []
  const problems: InputProblem[] = []
  let dropped = 0
  const problem = (line: number, detail: string): void => {
    if (problems.length < MAX_PROBLEMS_PER_FILE) problems.push({ file, line, detail })
    else dropped++
  }

  const read = (doc: Document.Parsed, n: number): void => {
    const docLine = lineOf(doc.contents?.range[0] ?? doc.range[0])
    const error = doc.errors[0]
    if (error !== undefined) return problem(lineOf(error.pos[0]), `invalid YAML: ${firstLine(error.message)}`)
    if (doc.contents === null) return // an empty document, as between two `---`
    const expansion = expansionProblem(doc)
    if (expansion !== undefined) return problem(lineOf(expansion.offset), `document ${n}: ${expansion.detail}`)
    let value: unknown
    try {
      // Aliases were bounded by size above; the package's count-based guard would refuse honest files.
      value = doc.toJS({ maxAliasCount: -1 })
    } catch (err) {
      return problem(docLine, `document ${n}: ${firstLine(err instanceof Error ? err.message : String(err))}`)
    }
    if (value === null || value === undefined) return
    for (const { object, where } of objectsIn(value, '')) {
      const why = objectProblem(object)
      if (why === undefined) objects.push({ object, origin: `${file}:${docLine}` })
      else problem(docLine, `document ${n}: ${where}${why}`)
    }
  }

  const composer = new Composer()
  let n = 0
  for (const doc of composer.compose(new Parser(lines.addNewLine).parse(text))) read(doc, ++n)
  if (dropped > 0) problems.push({ file, line: undefined, detail: `and ${dropped} more problems in this file` })
  return { objects, problems }
}

export interface Loaded extends Manifest {
  /** For stderr: folders or files skipped (a symlink loop, a second name for one file). */
  readonly notes: readonly string[]
}

export const loadObjects = async (paths: readonly string[]): Promise<Loaded> => {
  const found = await manifestFiles(paths)
  const objects: LoadedObject[] = []
  const problems: InputProblem[] = found.problems.map((p) => ({ file: p.path, line: undefined, detail: p.detail }))
  // One file at a time: only one file's text and one document's tree are held beside the objects.
  for (const file of found.files) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      problems.push({ file, line: undefined, detail: reasonOf(err) })
      continue
    }
    const manifest = parseManifest(file, text)
    // Not push(...spread): a file may hold more objects than a call may take arguments.
    for (const o of manifest.objects) objects.push(o)
    for (const p of manifest.problems) problems.push(p)
  }
  return { objects, problems, notes: found.notes }
}
