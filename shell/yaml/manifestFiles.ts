// Which files `ironlb simulate PATH...` reads: each path as given, folders recursively in name order
// (manifests only: .yaml, .yml, .json), symlinks followed as kubectl follows them. Each folder and
// each file is read once, known by device and inode, so a symlink back to a parent (a loop) or a
// second name for one file is a note and not an endless walk or a duplicate object.
import { readdir, stat } from 'node:fs/promises'
import { extname, join } from 'node:path'

interface ManifestFiles {
  readonly files: readonly string[]
  /** For stderr: what was skipped and why. */
  readonly notes: readonly string[]
  /** Paths that cannot be read; the command exits 2 on any. */
  readonly problems: readonly { readonly path: string; readonly detail: string }[]
}

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json'])

export const reasonOf = (err: unknown): string => {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder (or a symlink to nothing)'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'ELOOP':
      return 'too many levels of symlinks'
    default:
      return err instanceof Error ? err.message : String(err)
  }
}

export const manifestFiles = async (paths: readonly string[]): Promise<ManifestFiles> => {
  const files: string[] = []
  const notes: string[] = []
  const problems: { path: string; detail: string }[] = []
  /** "dev:ino" -> the path it was first read as. */
  const seen = new Map<string, string>()

  // Depth-first and one entry at a time: the order is the names' order, and a wide tree never
  // holds more than one folder listing per level open.
  const visit = async (path: string, named: boolean): Promise<void> => {
    let info
    try {
      info = await stat(path)
    } catch (err) {
      problems.push({ path, detail: reasonOf(err) })
      return
    }
    const isDir = info.isDirectory()
    if (!isDir && !named && !MANIFEST_EXTENSIONS.has(extname(path))) return
    if (!isDir && !info.isFile()) {
      // A FIFO or a device (/dev/zero) would be read forever or block.
      if (named) problems.push({ path, detail: 'not a regular file or folder' })
      else notes.push(`${path}: skipped, not a regular file`)
      return
    }
    const id = `${info.dev}:${info.ino}`
    const first = seen.get(id)
    if (first !== undefined) {
      notes.push(`${path}: skipped, already read as ${first}${isDir ? ' (a symlink loop or a second link to one folder)' : ''}`)
      return
    }
    seen.set(id, path)
    if (!isDir) {
      files.push(path)
      return
    }
    let entries
    try {
      entries = (await readdir(path)).sort()
    } catch (err) {
      problems.push({ path, detail: reasonOf(err) })
      return
    }
    for (const entry of entries) await visit(join(path, entry), false)
  }

  for (const path of paths) await visit(path, true)
  return { files, notes, problems }
}
