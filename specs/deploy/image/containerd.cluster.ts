// What a node of the lab cluster will do with the images (issue 11): containerd 2.3 from make
// cluster-bins imports both archives as `ctr images import` does on a node, and runs them with Debian's
// runc: IronLB's entry point as uid 65534 on a read-only root, the pause program as 65535 until SIGTERM.
// Root (mount namespace, cgroups). Not in `make test` yet: `make cluster-specs`.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { run, sleep } from '../../../shell/testbed/sys.js'
import { isRoot, missingTools } from '../../support/netns.js'
import { repoRoot } from '../../support/repoRoot.js'
import { startContainerd } from '../../support/tempContainerd.js'

// Absolute: ctr runs after nsenter --mount, which moves the working directory to the namespace's root.
const IMAGE = resolve(process.env['IRONLB_IMAGE'] ?? join(repoRoot, 'dist', 'image', 'ironlb.oci.tar'))
const PAUSE = resolve(process.env['IRONLB_PAUSE_IMAGE'] ?? join(repoRoot, 'dist', 'image', 'pause.oci.tar'))
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
const REF = `ghcr.io/ironlb/ironlb:${version}`
const PAUSE_REF = 'localhost/ironlb/pause:1.0'

/** containerd 2.3 warns about cgroup v1 on every call; the last other line says what went wrong. */
const why = (stderr: string): string => stderr.split('\n').filter((l) => l.trim() !== '' && !l.includes('DEPRECATION')).at(-1) ?? ''

const binDir = async (): Promise<string | undefined> => {
  const r = await run([join(repoRoot, 'specs', 'support', 'k8s-cluster', 'bin-dir.sh'), '--check'])
  return r.code === 0 ? r.stdout.trim() : undefined
}

const bins = process.env['IRONLB_CLUSTER_BIN_DIR'] ?? (await binDir())
const skip = !isRoot()
  ? 'needs root (mount namespace, cgroups)'
  : bins === undefined
    ? 'no cluster binaries: run make cluster-bins'
    : ![IMAGE, PAUSE].every(existsSync)
      ? 'no image archives: run make image pause-image'
      : undefined
const missing = skip === undefined ? missingTools(['unshare', 'nsenter', 'sh', 'mount', 'runc']) : undefined
if (missing !== undefined) t.fail(missing)

t.test('containerd imports the archives and runs both images', { skip: skip ?? false }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-containerd-spec-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const containerd = await startContainerd(bins ?? '', dir)
  t.teardown(containerd.stop)
  const { ctr } = containerd

  for (const archive of [IMAGE, PAUSE]) {
    const start = Date.now()
    const r = await ctr(['images', 'import', archive], 120_000)
    t.equal(r.code, 0, `ctr images import ${archive} (${why(r.stderr)})`)
    t.comment(`import: ${Date.now() - start} ms`)
  }
  const refs = (await ctr(['images', 'ls', '-q'])).stdout.trim().split('\n')
  t.same(refs.sort(), [REF, PAUSE_REF].sort(), 'both images are there under the names the manifests and the kubelet use')

  const entry = await ctr(['run', '--rm', REF, 'entry'])
  t.equal(entry.code, 2, 'the image entry point, with no command, exits 2')
  t.match(entry.stdout, /usage: ironlb <command>/, 'after printing the usage')
  const ids = await ctr(['run', '--rm', REF, 'ids', 'node', '-e', 'process.stdout.write(`${process.getuid()}:${process.getgid()}`)'])
  t.equal(ids.stdout, '65534:65534', 'runs as nobody, as the Containerfile says')
  const times: number[] = []
  for (let i = 0; i < 3; i++) {
    const start = Date.now()
    const r = await ctr(['run', '--rm', '--read-only', REF, `ro${i}`, 'node', '/app/dist/shell/cli/ironlb.js', 'help'])
    times.push(Date.now() - start)
    t.equal(r.code, 0, `ironlb help on a read-only root exits 0 (${why(r.stderr)})`)
  }
  t.comment(`ctr run --rm --read-only ... ironlb help (container made, run, removed): ${times.join(', ')} ms`)

  // The sandbox: runs until told to stop, as 65535, and stops at once with 0.
  const pause = ctr(['run', '--rm', PAUSE_REF, 'sandbox'])
  let pid: number | undefined
  for (const end = Date.now() + 30_000; pid === undefined && Date.now() < end; await sleep(200)) {
    const line = (await ctr(['tasks', 'ls'])).stdout.split('\n').find((l) => l.startsWith('sandbox ') && l.includes('RUNNING'))
    pid = line === undefined ? undefined : Number(line.split(/\s+/)[1])
  }
  t.ok(pid !== undefined, 'the pause task runs')
  const uid = pid === undefined ? undefined : /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
  t.equal(uid, '65535', 'as 65535')
  const start = Date.now()
  await ctr(['tasks', 'kill', '--signal', 'SIGTERM', 'sandbox'])
  const r = await pause
  t.equal(r.code, 0, `and exits 0 on SIGTERM (${why(r.stderr)})`)
  t.comment(`pause stopped ${Date.now() - start} ms after SIGTERM`)
})
