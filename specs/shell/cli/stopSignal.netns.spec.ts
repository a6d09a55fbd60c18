// The daemons' stop signals (shell/cli/stopSignal.ts), in the conditions of their containers: the
// built binary as PID 1 of new PID and network namespaces (`unshare --pid --net --fork`; the network
// namespace holds only a down loopback and goes with the process), where the kernel drops a signal
// that has no handler. A SIGTERM sent the moment the speaker logs `speaker-starting`, while it still
// loads its modules, must stop it (exit 0, `speaker-stopping`); before, that SIGTERM was dropped and
// the speaker ran on, joined and announced until the kubelet's SIGKILL (seen in the lab cluster's
// rollouts). A SIGTERM once it has started stops it too. The controller likewise, from
// `controller-starting` on (before, its handler came only after `controller-started`, and a controller
// killed meanwhile kept its Lease until it expired). Root;
// the API server they are given does not exist, which both survive (they retry).
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { sleep } from '../../../shell/testbed/sys.js'
import { ironlbEntry } from '../../support/controllerProcess.js'
import { isRoot, missingTools } from '../../support/netns.js'

// Another build (a mutated copy) to see what the spec catches.
const entry = process.env['IRONLB_ENTRY'] ?? ironlbEntry
const skip = !isRoot() ? 'needs root (PID and network namespaces)' : !existsSync(entry) ? 'run make build' : (missingTools(['unshare']) ?? false)

const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: 'https://127.0.0.1:6443', insecure-skip-tls-verify: true}}]
users: [{name: none, user: {token: none}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
`

interface Run {
  readonly log: () => string
  /** The daemon's PID outside its namespace (it is PID 1 inside). */
  readonly speakerPid: () => number | undefined
  readonly exited: Promise<number | null>
}

type Daemon = 'speaker' | 'controller'

const startPid1 = (daemon: Daemon, dir: string, onTeardown: (kill: () => void) => void): Run => {
  writeFileSync(join(dir, 'key'), randomBytes(32))
  writeFileSync(join(dir, 'kubeconfig'), kubeconfig)
  const flags = daemon === 'speaker' ? ['--node-name=n1', `--memberlist-key-file=${join(dir, 'key')}`] : []
  const argv = ['--pid', '--net', '--kill-child', process.execPath, entry, daemon, `--kubeconfig=${join(dir, 'kubeconfig')}`, ...flags]
  const child: ChildProcess = spawn('unshare', argv, { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()))
  // unshare's only child is the speaker; --kill-child takes it along when unshare is killed.
  onTeardown(() => child.kill('SIGKILL'))
  const speakerPid = (): number | undefined => {
    try {
      const first = readFileSync(`/proc/${child.pid ?? 0}/task/${child.pid ?? 0}/children`, 'utf8').trim().split(' ')[0]
      return first === undefined || first === '' ? undefined : Number(first)
    } catch {
      return undefined
    }
  }
  return { log: () => log, speakerPid, exited: new Promise((r) => child.once('exit', (code) => r(code))) }
}

/** Polls every 10 ms, at most `ms`, until the log holds `event`. */
const logged = async (run: Run, event: string, ms: number): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(10)) if (run.log().includes(`"event":"${event}"`)) return true
  return false
}

const stopsOn = async (t: Test, after: string, daemon: Daemon = 'speaker'): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-stop-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const run = startPid1(daemon, dir, (kill) => t.teardown(kill))
  t.ok(await logged(run, after, 60_000), `the ${daemon} logs ${after}`)
  const pid = run.speakerPid()
  const nspid = /NSpid:\s+(\d+)\s+(\d+)/.exec(readFileSync(`/proc/${pid ?? 0}/status`, 'utf8'))
  t.equal(nspid?.[2], '1', `it is PID 1 of its own PID namespace (${pid ?? '?'} outside)`)
  const sent = Date.now()
  process.kill(pid ?? 0, 'SIGTERM')
  // Generous: a loaded machine takes seconds to load the modules; the old speaker never exited at all.
  const code = await Promise.race([run.exited, sleep(30_000).then(() => 'still running')])
  t.equal(code, 0, `SIGTERM right after ${after} stops it, exit 0 (${Date.now() - sent} ms)`)
  t.match(run.log(), new RegExp(`"event":"${daemon}-stopping","[^\\n]*"signal":"SIGTERM"`), 'and it says so')
}

t.test('SIGTERM while the speaker is starting', { skip }, (t) => stopsOn(t, 'speaker-starting'))
t.test('SIGTERM once the speaker has started', { skip }, (t) => stopsOn(t, 'speaker-started'))
t.test('SIGTERM while the controller is starting', { skip }, (t) => stopsOn(t, 'controller-starting', 'controller'))
t.test('SIGTERM once the controller has started', { skip }, (t) => stopsOn(t, 'controller-started', 'controller'))
