// Reads an OCI image archive as `ctr images import` would, and says everything that does not hold:
// every blob's sha256 and size against the descriptor that names it, and every layer's uncompressed
// sha256 against the config's diff_ids (what containerd checks when it unpacks). Written apart from
// deploy/image/oci.sh, which makes the archives, so that the specs do not trust the maker's arithmetic.
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { mustRun } from '../../../shell/testbed/sys.js'

interface Descriptor {
  readonly mediaType: string
  readonly digest: string
  readonly size: number
  readonly annotations?: Readonly<Record<string, string>>
}

interface ImageConfig {
  readonly User?: string
  readonly Entrypoint?: readonly string[]
  readonly Env?: readonly string[]
  readonly WorkingDir?: string
}

export interface OciImage {
  /** io.containerd.image.name of the one manifest the index lists. */
  readonly ref: string | undefined
  readonly config: ImageConfig
  /** Uncompressed layer tars, base first. */
  readonly layers: readonly Buffer[]
  /** What does not hold, in words; empty for a sound archive. */
  readonly problems: readonly string[]
}

const sha256 = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

/** Unpacks `archive` into `dir` (which must be empty) and reads it. */
export const readOciArchive = async (archive: string, dir: string): Promise<OciImage> => {
  await mustRun(['tar', '-xf', archive, '-C', dir])
  const problems: string[] = []
  const blob = (d: Descriptor): Buffer => {
    const path = join(dir, 'blobs', ...d.digest.split(':'))
    const bytes = readFileSync(path)
    if (sha256(bytes) !== d.digest) problems.push(`blob ${d.digest} hashes to ${sha256(bytes)}`)
    if (statSync(path).size !== d.size) problems.push(`blob ${d.digest} is ${statSync(path).size} bytes, its descriptor says ${d.size}`)
    return bytes
  }
  const layout = JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8')) as { imageLayoutVersion?: string }
  if (layout.imageLayoutVersion !== '1.0.0') problems.push(`oci-layout says ${JSON.stringify(layout)}`)
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: readonly Descriptor[] }
  if (index.manifests.length !== 1) problems.push(`the index lists ${index.manifests.length} manifests`)
  const [top] = index.manifests
  if (top === undefined) return { ref: undefined, config: {}, layers: [], problems }
  const manifest = JSON.parse(blob(top).toString('utf8')) as { config: Descriptor; layers: readonly Descriptor[] }
  const configDoc = JSON.parse(blob(manifest.config).toString('utf8')) as { config: ImageConfig; rootfs: { diff_ids: readonly string[] } }
  const layers = manifest.layers.map((d) => gunzipSync(blob(d)))
  const diffIds = layers.map(sha256)
  if (JSON.stringify(diffIds) !== JSON.stringify(configDoc.rootfs.diff_ids)) problems.push(`layers hash to ${diffIds.join(', ')}; diff_ids say ${configDoc.rootfs.diff_ids.join(', ')}`)
  return { ref: top.annotations?.['io.containerd.image.name'], config: configDoc.config, layers, problems }
}
