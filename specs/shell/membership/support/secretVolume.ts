// A Secret volume as the kubelet's atomic writer lays it out, for specs: the files live in a
// timestamped folder, `..data` is a symlink to it, and each key is a symlink through `..data`. An
// update writes a new timestamped folder, points `..data_tmp` at it, renames that over `..data` (the
// one atomic step) and removes the old folder. A plain file already in place (the lab writes one) is
// turned into the symlink by a rename too.
import { lstatSync, mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

let stamps = 0
const stamp = (): string => `..${new Date().toISOString().replace(/[-:T]/g, '_').replace('Z', '')}${String(stamps++).padStart(4, '0')}`

const isLink = (p: string): boolean => {
  try {
    return lstatSync(p).isSymbolicLink()
  } catch {
    return false
  }
}

/** Writes `value` as key `name` of the volume at `dir` (creating or updating it), atomically. */
export const writeSecretVolume = (dir: string, name: string, value: string | Uint8Array): void => {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const data = join(dir, '..data')
  const old = isLink(data) ? readlinkSync(data) : undefined
  const fresh = stamp()
  mkdirSync(join(dir, fresh), { mode: 0o700 })
  writeFileSync(join(dir, fresh, name), value, { mode: 0o600 })
  symlinkSync(fresh, join(dir, '..data_tmp'))
  renameSync(join(dir, '..data_tmp'), data)
  const key = join(dir, name)
  if (!isLink(key)) {
    symlinkSync(join('..data', name), join(dir, `..${name}_tmp`))
    renameSync(join(dir, `..${name}_tmp`), key)
  }
  if (old !== undefined) rmSync(join(dir, old), { recursive: true, force: true })
}
