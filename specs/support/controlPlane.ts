// A throwaway Kubernetes control plane for integration tests: the shared launcher
// (shell/testbed/controlPlane.ts, which the lab runs too) on free 127.0.0.1 ports, with every file under one
// mkdtemp folder and one admin (token auth, system:masters).
//
// This module owns the processes' lives: stop() ends both and removes the folder, process exit and signals do
// the same, and a small detached reaper does it even when this process is SIGKILLed. It leaves to tests
// everything a controller-manager would do: there is no namespace finalizer (deleted namespaces stay
// Terminating), no EndpointSlice controller and no garbage collector, so tests isolate themselves by namespace
// and create Nodes and EndpointSlices themselves. The apiserver still allocates ClusterIPs and NodePorts.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  findK8sBinDir,
  kubeconfigPath,
  kubePaths,
  logPath,
  startControlPlane as launch,
  type ControlPlaneHost,
  type ControlPlaneSpec,
  type ReadyProbe,
  type StartedProc,
} from '../../shell/testbed/controlPlane.js';
import { tailFile } from '../../shell/testbed/sys.js';
import { repoRoot } from './repoRoot.js';

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** A kubeconfig (cluster, token user, context) for kubectl and @kubernetes/client-node; TLS verified. */
  readonly kubeconfigPath: string;
  readonly binDir: string;
  /** The temporary folder that holds data, certs, keys, logs, pid files and the kubeconfig; removed by stop(). */
  readonly dir: string;
  /** Milliseconds from spawning etcd to the apiserver's /readyz answering 200. */
  readonly startupMs: number;
  /** Ends the apiserver and etcd (SIGTERM, SIGKILL after a bound) and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

const TERM_GRACE_MS = 5_000;
const READY_TIMEOUT_MS = 90_000;
const PORT_ATTEMPTS = 3;

/** The bin folder built by `make k8s-bins`; throws with the command to run when it is missing. */
export const k8sBinDir = (): string => findK8sBinDir(repoRoot);

export async function startControlPlane(): Promise<ControlPlane> {
  const binDir = k8sBinDir();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binDir);
    } catch (e) {
      // Free ports are found by binding to :0 and closing; another process can take one before we bind it.
      if (!(e instanceof PortClash) || attempt >= PORT_ATTEMPTS) throw e;
    }
  }
}

class PortClash extends Error {}

const admin = { file: 'admin', user: 'ironlb-admin', uid: 'ironlb-admin-uid', groups: ['system:masters'] };

async function startOnce(binDir: string): Promise<ControlPlane> {
  const [etcdClientPort, etcdPeerPort, port] = await freePorts(3);
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-cp-'));
  const live = register(dir);
  const spec: ControlPlaneSpec = {
    binDir,
    paths: kubePaths(dir),
    name: 'ironlb-test',
    etcdClientPort: etcdClientPort ?? 0,
    etcdPeerPort: etcdPeerPort ?? 0,
    bindAddress: '127.0.0.1',
    advertiseAddress: '127.0.0.1',
    port: port ?? 0,
    serviceClusterIPRange: '10.96.0.0/16,fd00:10:96::/112', // dual-stack, IPv4 primary
    identities: [admin],
  };
  try {
    const cp = await launch(spec, childHost(live), READY_TIMEOUT_MS);
    return { server: cp.server, kubeconfigPath: kubeconfigPath(spec.paths, admin.file), binDir, dir, startupMs: cp.startupMs, stop: live.stop };
  } catch (e) {
    const clash = ['etcd', 'kube-apiserver'].some((n) => /address already in use/.test(tailFile(logPath(spec.paths, n), 50)));
    await live.stop();
    throw clash ? new PortClash(e instanceof Error ? e.message : String(e)) : e;
  }
}

/** Both binaries as children of this process, on loopback; /readyz asked directly. */
const childHost = (live: Live): ControlPlaneHost => ({
  start: (name, argv, log) => Promise.resolve(startChild(live, name, argv, log)),
  readyz: readyOverHttps,
});

// ---- processes, and never leaking them ----------------------------------------------------------------

interface Proc extends StartedProc {
  readonly child: ChildProcess;
  readonly done: Promise<void>;
}

interface Live {
  readonly dir: string;
  readonly procs: Proc[];
  reaper: ChildProcess | undefined;
  readonly stop: () => Promise<void>;
  killSync(): void;
}

const lives = new Set<Live>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function register(dir: string): Live {
  let stopping: Promise<void> | undefined;
  const live: Live = {
    dir,
    procs: [],
    reaper: undefined,
    stop: () => (stopping ??= stopLive(live)),
    killSync: () => {
      for (const p of live.procs) if (p.exited() === undefined) p.child.kill('SIGKILL');
      live.reaper?.kill('SIGKILL');
      if (!keepDir()) rmSync(dir, { recursive: true, force: true });
    },
  };
  live.reaper = startReaper(dir);
  if (lives.size === 0) installHandlers();
  lives.add(live);
  return live;
}

async function stopLive(live: Live): Promise<void> {
  lives.delete(live);
  if (lives.size === 0) removeHandlers();
  // The apiserver first, so it does not log a storm of etcd connection errors on its way down.
  for (const p of [...live.procs].reverse()) await terminate(p);
  live.reaper?.kill('SIGKILL');
  if (keepDir()) process.stderr.write(`controlPlane: kept ${live.dir} (IRONLB_KEEP_CONTROL_PLANE_DIR)\n`);
  else rmSync(live.dir, { recursive: true, force: true });
}

async function terminate(p: Proc): Promise<void> {
  if (p.exited() !== undefined) return;
  p.child.kill('SIGTERM');
  if (await within(p.done, TERM_GRACE_MS)) return;
  p.child.kill('SIGKILL');
  await within(p.done, TERM_GRACE_MS);
}

function startChild(live: Live, name: string, argv: readonly string[], log: string): Proc {
  const fd = openSync(log, 'a');
  const [bin, ...args] = argv;
  // detached: its own process group, so a terminal's Ctrl-C reaches only us and we decide the order.
  const child = spawn(bin ?? 'false', args, { stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  // Unref'd: a test that forgets stop() still lets node exit, and the 'exit' handler then kills the child.
  child.unref();
  let exit: string | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const markExit = (why: string): void => {
    exit ??= why;
    resolveDone();
  };
  child.once('exit', (code, signal) => markExit(signal === null ? `exit code ${code}` : `signal ${signal}`));
  child.once('error', (e) => markExit(`spawn error: ${e.message}`));
  const proc: Proc = { name, child, done, exited: () => exit };
  live.procs.push(proc);
  if (child.pid !== undefined) writeFileSync(join(live.dir, `${name}.pid`), `${child.pid}\n`);
  return proc;
}

// A detached shell that outlives a SIGKILLed test process: once our pid is gone it kills what the *.pid
// files name and removes the folder. stop() kills it first, so it never acts on a recycled pid later.
function startReaper(dir: string): ChildProcess {
  const script = [
    'parent=$1 dir=$2',
    'while kill -0 "$parent" 2>/dev/null; do sleep 1; done',
    'pids=$(cat "$dir"/*.pid 2>/dev/null)',
    '[ -n "$pids" ] && kill -TERM $pids 2>/dev/null && sleep 3 && kill -KILL $pids 2>/dev/null',
    'rm -rf "$dir"',
  ].join('\n');
  const reaper = spawn('sh', ['-c', script, 'ironlb-reaper', String(process.pid), dir], {
    detached: true,
    stdio: 'ignore',
  });
  reaper.unref();
  return reaper;
}

const onExit = (): void => {
  for (const l of lives) l.killSync();
  lives.clear();
};

const onSignal = (sig: NodeJS.Signals): void => {
  const all = [...lives];
  removeHandlers();
  void Promise.allSettled(all.map((l) => l.stop())).then(() => {
    // Re-raise for the default action (exit with 128+n) unless someone else also listens for it.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  });
};

function installHandlers(): void {
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function removeHandlers(): void {
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

const keepDir = (): boolean => process.env['IRONLB_KEEP_CONTROL_PLANE_DIR'] === '1';

// ---- small helpers --------------------------------------------------------------------------------------

function readyOverHttps(probe: ReadyProbe): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const options = { headers: { authorization: `Bearer ${probe.token}` }, timeout: 2_000, ca: probe.ca };
    const req = httpsRequest(probe.url, options, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${probe.url}`)));
    req.on('error', reject);
    req.end();
  });
}

function freePorts(n: number): Promise<number[]> {
  // Hold all listeners open together so the n ports are distinct, then release them.
  const servers = Array.from({ length: n }, () => createServer());
  return Promise.all(
    servers.map(
      (s) =>
        new Promise<number>((resolve, reject) => {
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
        }),
    ),
  ).finally(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));
}

async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
