// Reads Kubernetes objects from YAML files and folders, as `kubectl apply -f` would find them:
// folders recursively (manifestFiles.ts), multi-document files, and `kind: List` (or any `*List`
// kind with `items`) flattened. Documents are read one at a time (plain ones by a fast reader,
// fastDocument.ts) and lines come from one index per document, so time and memory grow linearly with
// the input. Whatever cannot be read is a problem
// naming file and line (and the document, counted from 1), and every problem is kept, not just the
// first; the caller exits 2 on any.
import { readFile } from 'node:fs/promises'
import { Composer, type Document, LineCounter, Parser } from 'yaml'
import { expansionProblem } from './expansion.js'
import { readFast } from './fastDocument.js'
import { manifestFiles, reasonOf } from './manifestFiles.js'
import { isList, objectProblem } from './objectShape.js'

interface LoadedObject {
  readonly object: unknown
  /** "path:line" of the document's start, for messages. */
  readonly origin: string
}

interface InputProblem {
  readonly file: string
  /** 1-based; undefined when the file itself cannot be read. */
  readonly line: number | undefined
  readonly detail: string
}

export const formatProblem = (p: InputProblem): string => `${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.detail}`

interface Manifest {
  readonly objects: readonly LoadedObject[]
  readonly problems: readonly InputProblem[]
}

/** Binary garbage can hold thousands of broken documents; past this many, only a count is kept. */
export const MAX_PROBLEMS_PER_FILE = 20

const firstLine = (message: string): string => message.split('\n')[0] ?? message

/** The objects a document holds, lists flattened; `where` names list items ("items[3]"). */
const objectsIn = (value: unknown, where: string): { object: unknown; where: string }[] =>
  isList(value) ? value.items.flatMap((item, i) => objectsIn(item, `${where}items[${i}]: `)) : [{ object: value, where }]

/** Where problems and objects of one file go; past MAX_PROBLEMS_PER_FILE problems only a count is kept. */
interface Sink {
  readonly object: (object: unknown, line: number) => void
  readonly problem: (line: number, detail: string) => void
}

/** Reads `value`, the document numbered `n` whose content starts on `line`, into objects or problems. */
const take = (sink: Sink, value: unknown, n: number, line: number): void => {
  if (value === null || value === undefined) return
  for (const { object, where } of objectsIn(value, '')) {
    const why = objectProblem(object)
    if (why === undefined) sink.object(object, line)
    else sink.problem(line, `document ${n}: ${where}${why}`)
  }
}

/**
 * Every document of `text` through the `yaml` package: exact errors, alias bounds. `text` starts on
 * line `lineBase + 1` of the file and its first document is numbered `docBase + 1`.
 */
const readSlowly = (sink: Sink, text: string, lineBase: number, docBase: number): void => {
  const lines = new LineCounter()
  // An error at the very end (an unclosed bracket) is on the last line, not the empty one after it.
  const lineOf = (offset: number): number => lineBase + Math.max(1, lines.linePos(Math.min(offset, text.length - 1)).line)
  const read = (doc: Document.Parsed, n: number): void => {
    const docLine = lineOf(doc.contents?.range[0] ?? doc.range[0])
    const error = doc.errors[0]
    if (error !== undefined) return sink.problem(lineOf(error.pos[0]), `invalid YAML: ${firstLine(error.message)}`)
    if (doc.contents === null) return // an empty document, as between two `---`
    const expansion = expansionProblem(doc)
    if (expansion !== undefined) return sink.problem(lineOf(expansion.offset), `document ${n}: ${expansion.detail}`)
    let value: unknown
    try {
      // Aliases were bounded by size above; the package's count-based guard would refuse honest files.
      value = doc.toJS({ maxAliasCount: -1 })
    } catch (err) {
      return sink.problem(docLine, `document ${n}: ${firstLine(err instanceof Error ? err.message : String(err))}`)
    }
    take(sink, value, n, docLine)
  }
  let n = docBase
  for (const doc of new Composer().compose(new Parser(lines.addNewLine).parse(text))) read(doc, ++n)
}

const isBlankOrComment = (line: string): boolean => {
  const t = line.trim()
  return t === '' || t.startsWith('#')
}

/** The 0-based index of the first line of `text` that is neither blank nor a comment, if any. */
const firstContentLine = (text: string): number | undefined => {
  for (let at = 0, index = 0; at <= text.length; index++) {
    const end = text.indexOf('\n', at)
    if (!isBlankOrComment(text.slice(at, end === -1 ? text.length : end))) return index
    if (end === -1) return undefined
    at = end + 1
  }
  return undefined
}

const newlinesIn = (text: string): number => {
  let n = 0
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) n++
  return n
}

/**
 * Each document through readFast (fastDocument.ts) when it can be, through the `yaml` package
 * when not. A `---` line can only start a document (YAML 1.2 forbids it inside content), so the
 * file splits there; with `...` end markers or directives, the whole file goes the slow way.
 */
const readByDocument = (sink: Sink, text: string): void => {
  if (/^(?:\.\.\.(?=[ \t]|\r?$)|%)/m.test(text)) return readSlowly(sink, text, 0, 0)
  const starts = [0, ...Array.from(text.matchAll(/^---(?=[ \t]|\r?$)/gm), (m) => m.index)].filter((at, i, all) => i === 0 || at !== all[i - 1])
  let line = 1
  let n = 0
  starts.forEach((at, i) => {
    const chunk = text.slice(at, starts[i + 1] ?? text.length)
    const chunkLine = line
    line += newlinesIn(chunk)
    const marked = chunk.startsWith('---')
    const markerEnd = marked ? (chunk.indexOf('\n') === -1 ? chunk.length : chunk.indexOf('\n')) : -1
    const body = marked ? chunk.slice(markerEnd + 1) : chunk
    const first = firstContentLine(body)
    // Comments before the first `---` belong to the document it starts; they are no document.
    if (!marked && first === undefined) return
    n++
    const onMarkerLine = marked && !isBlankOrComment(chunk.slice(3, markerEnd))
    const fast = onMarkerLine ? undefined : readFast(body)
    if (fast === undefined || fast._tag === 'Slow') return readSlowly(sink, chunk, chunkLine - 1, n - 1)
    take(sink, fast.value, n, chunkLine + (marked ? 1 : 0) + (first ?? 0))
  })
}

export const parseManifest = (file: string, text: string): Manifest => {
  const objects: LoadedObject[] = []
  const problems: InputProblem[] = []
  let dropped = 0
  readByDocument(
    {
      object: (object, line) => objects.push({ object, origin: `${file}:${line}` }),
      problem: (line, detail) => {
        if (problems.length < MAX_PROBLEMS_PER_FILE) problems.push({ file, line, detail })
        else dropped++
      },
    },
    text,
  )
  if (dropped > 0) problems.push({ file, line: undefined, detail: `and ${dropped} more problems in this file` })
  return { objects, problems }
}

interface Loaded extends Manifest {
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
