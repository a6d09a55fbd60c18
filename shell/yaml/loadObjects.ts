// Reads Kubernetes objects from YAML files and folders, as `kubectl apply -f` would find them:
// folders recursively (.yaml, .yml, .json), multi-document files, and `kind: List` (or any
// `*List` kind with `items`) flattened. A file that is not valid YAML is reported with its line.
import { readFile, readdir, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { parseAllDocuments } from 'yaml'

export interface LoadedObject {
  readonly object: unknown
  /** "path:line" of the document's start, for messages. */
  readonly origin: string
}

export class YamlError extends Error {
  override readonly name = 'YamlError'
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`)
  }
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json'])

const filesUnder = async (path: string): Promise<string[]> => {
  const info = await stat(path)
  if (!info.isDirectory()) return [path]
  const entries = (await readdir(path)).sort()
  const nested = await Promise.all(
    entries.map(async (entry) => {
      const child = join(path, entry)
      const childInfo = await stat(child)
      if (childInfo.isDirectory()) return filesUnder(child)
      return MANIFEST_EXTENSIONS.has(extname(entry)) ? [child] : []
    }),
  )
  return nested.flat()
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

/** `kind: List` and typed lists (`ServiceList`) as kubectl prints them carry their objects in `items`. */
const flattenLists = (object: unknown): unknown[] =>
  isRecord(object) && typeof object['kind'] === 'string' && object['kind'].endsWith('List') && Array.isArray(object['items'])
    ? object['items'].flatMap(flattenLists)
    : [object]

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length

export const parseManifest = (file: string, text: string): LoadedObject[] => {
  const documents = parseAllDocuments(text, { prettyErrors: true })
  const list = Array.isArray(documents) ? documents : [documents]
  const objects: LoadedObject[] = []
  for (const doc of list) {
    const firstError = doc.errors[0]
    if (firstError !== undefined) {
      const line = firstError.linePos?.[0]?.line ?? lineOf(text, firstError.pos[0])
      throw new YamlError(file, line, firstError.message.split('\n')[0] ?? 'invalid YAML')
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 })
    if (value === null || value === undefined) continue
    const origin = `${file}:${lineOf(text, doc.range[0])}`
    for (const object of flattenLists(value)) objects.push({ object, origin })
  }
  return objects
}

export const loadObjects = async (paths: readonly string[]): Promise<LoadedObject[]> => {
  const files = (await Promise.all(paths.map(filesUnder))).flat()
  const perFile = await Promise.all(files.map(async (file) => parseManifest(file, await readFile(file, 'utf8'))))
  return perFile.flat()
}
