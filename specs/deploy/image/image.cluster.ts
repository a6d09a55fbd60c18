// The images `make image` and `make pause-image` build (deploy/image/build.sh), read back as a runtime
// would: sound OCI archives named as the manifests expect, the final stage of deploy/Containerfile in the
// config, and the programs in them doing their job: IronLB's CLI starts as nobody from the image's own
// root filesystem (Node and its libraries included), and the pause program, as PID 1 of a PID namespace,
// reaps an orphan and exits 0 on SIGTERM or SIGINT. Root (chroot, unshare). Not in `make test` yet
// (issue 11): `make cluster-specs`.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { mustRun, run, sleep } from '../../../shell/testbed/sys.js'
import { isRoot, missingTools } from '../../support/netns.js'
import { repoRoot } from '../../support/repoRoot.js'
import { readOciArchive, type OciImage } from './ociArchive.js'

// Absolute: ctr runs after nsenter --mount, which moves the working directory to the namespace's root.
const IMAGE = resolve(process.env['IRONLB_IMAGE'] ?? join(repoRoot, 'dist', 'image', 'ironlb.oci.tar'))
const PAUSE = resolve(process.env['IRONLB_PAUSE_IMAGE'] ?? join(repoRoot, 'dist', 'image', 'pause.oci.tar'))
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version

const skip = !isRoot() ? 'needs root (chroot, unshare)' : ![IMAGE, PAUSE].every(existsSync) ? `no ${IMAGE} or ${PAUSE}: run make image pause-image` : undefined
const missing = skip === undefined ? missingTools(['tar', 'env', 'chroot', 'unshare', 'nsenter', 'sh']) : undefined
if (missing !== undefined) t.fail(missing)

const work = mkdtempSync(join(tmpdir(), 'ironlb-image-spec-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))

/** The archive, read, and its layers unpacked in order into a root filesystem under `work/name`. */
const unpack = async (name: string, archive: string): Promise<{ image: OciImage; root: string }> => {
  const dir = join(work, name)
  const root = join(dir, 'rootfs')
  mkdirSync(join(dir, 'layout'), { recursive: true })
  mkdirSync(root)
  const image = await readOciArchive(archive, join(dir, 'layout'))
  for (const [i, layer] of image.layers.entries()) {
    writeFileSync(join(dir, `layer${i}.tar`), layer)
    await mustRun(['tar', '-xf', join(dir, `layer${i}.tar`), '-C', root])
  }
  return { image, root }
}

/** The final stage's ENTRYPOINT and USER, as written in deploy/Containerfile. */
const containerfile = (): { entrypoint: unknown; user: string | undefined } => {
  const lines = readFileSync(join(repoRoot, 'deploy', 'Containerfile'), 'utf8').split('\n')
  const last = (instr: string): string | undefined => lines.filter((l) => l.startsWith(`${instr} `)).at(-1)?.slice(instr.length + 1)
  const ep = last('ENTRYPOINT')
  return { entrypoint: ep === undefined ? undefined : JSON.parse(ep), user: last('USER') }
}

t.test('the IronLB image: a sound archive, the Containerfile final stage, the CLI starts as nobody', { skip: skip ?? false }, async (t) => {
  const { image, root } = await unpack('ironlb', IMAGE)
  t.same(image.problems, [], 'every digest, size and diff_id holds')
  t.equal(image.ref, `ghcr.io/ironlb/ironlb:${version}`, 'named as deploy/manifests use it')
  const want = containerfile()
  t.same(image.config.Entrypoint, want.entrypoint, 'ENTRYPOINT from deploy/Containerfile')
  t.equal(image.config.User, want.user, 'USER from deploy/Containerfile')
  t.equal(image.layers.length, 2, 'the base and the application, so that a new tag shares the base')
  // A clean environment with the image's PATH (env -i: tap's process tracking puts NODE_OPTIONS into
  // every child's environment), so nothing of this machine is used but the kernel.
  const inImage = (argv: readonly string[]): string[] => ['env', '-i', ...(image.config.Env ?? []), 'chroot', '--userspec=65534:65534', root, ...argv]
  const times: number[] = []
  for (let i = 0; i < 3; i++) {
    const start = process.hrtime.bigint()
    const r = await run(inImage(['node', '/app/dist/shell/cli/ironlb.js', 'help']), { timeoutMs: 30_000 })
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
    t.equal(r.code, 0, `ironlb help exits 0 as 65534 (${r.stderr.trim()})`)
    t.match(r.stdout, /^usage: ironlb <command>/, 'and prints its usage')
  }
  t.comment(`ironlb help from the image's root, as nobody: ${times.map((ms) => ms.toFixed(0)).join(', ')} ms`)
  const r = await run(inImage(['node', '-e', 'require("/app/shell/native/build/Release/ironlb_packet.node")']), { timeoutMs: 30_000 })
  t.equal(r.code, 0, `the AF_PACKET addon loads against the image's libraries (${r.stderr.trim()})`)
  // The entrypoint (deploy/image/ambient.c) as a runtime starts it, as nobody with no capability: it execs node.
  const e = await run(inImage([...(image.config.Entrypoint ?? []), 'help']), { timeoutMs: 30_000 })
  t.ok(e.code === 0 && e.stdout.startsWith('usage: ironlb <command>'), `the ENTRYPOINT runs ironlb help as 65534 (${e.code ?? 'no'} exit, ${e.stderr.trim()})`)
  // Its file capabilities, as the layer carries them: a PAX record SCHILY.xattr.security.capability in the
  // extended header of app/bin/ambient (oci.sh names it <dir>/PaxHeaders/<file>), what containerd applies.
  const layer = image.layers.at(-1) ?? Buffer.alloc(0)
  const header = layer.indexOf('app/bin/PaxHeaders/ambient')
  const records = header < 0 ? '' : layer.subarray(header, header + 1536).toString('latin1')
  t.match(records, /SCHILY\.xattr\.security\.capability=/, 'app/bin/ambient carries file capabilities in its layer')
})

const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter((s) => s !== '').map(Number)
  } catch {
    return []
  }
}

/** Polls `probe` every 50 ms until it returns a value, for at most `ms`. */
const within = async <A>(ms: number, probe: () => A | undefined): Promise<A | undefined> => {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) {
    const v = probe()
    if (v !== undefined) return v
  }
  return probe()
}

t.test('the pause image: PID 1 of its namespace, reaps orphans, exits 0 on SIGTERM and SIGINT', { skip: skip ?? false }, async (t) => {
  const { image, root } = await unpack('pause', PAUSE)
  t.same(image.problems, [], 'every digest, size and diff_id holds')
  t.same(image.config.Entrypoint, ['/pause'])
  t.equal(image.config.User, '65535:65535', "Kubernetes's own pause user")
  const v = await run([join(root, 'pause'), '-v'])
  t.match(v.stdout, /^ironlb-pause /, '-v prints the version')
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    const ns = spawn('unshare', ['--pid', '--fork', '--kill-child', join(root, 'pause')], { stdio: 'ignore' })
    const exited = new Promise<number | null>((done) => ns.once('exit', (code) => done(code)))
    t.teardown(() => void ns.kill('SIGKILL'))
    const pause = await within(5_000, () => childrenOf(ns.pid ?? -1)[0])
    if (pause === undefined) return void t.fail('pause did not start under unshare')
    // sh runs inside pause's PID namespace and leaves a sleep behind: the orphan is now pause's child.
    // (Its output goes nowhere: holding the pipe would keep mustRun waiting until it exits.)
    await mustRun(['nsenter', '--target', String(pause), '--pid', '--', 'sh', '-c', 'sleep 3 </dev/null >/dev/null 2>&1 & exit 0'])
    const orphan = await within(3_000, () => childrenOf(pause)[0])
    t.ok(orphan !== undefined, `${sig} run: the orphan ${orphan} was handed to pause`)
    // A child that exited and was not reaped stays in /proc as a zombie until its parent waits for it.
    const reaped = await within(10_000, () => (orphan !== undefined && !existsSync(`/proc/${orphan}`) ? true : undefined))
    t.ok(reaped, `${sig} run: pause reaped it`)
    process.kill(pause, sig)
    const code = await Promise.race([exited, sleep(3_000).then(() => 'still running')])
    t.equal(code, 0, `pause exits 0 at once on ${sig}`)
  }
})
