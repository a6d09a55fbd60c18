// A throwaway Kubernetes control plane for integration tests: the real etcd and kube-apiserver that
// specs/support/k8s/build.sh builds, on free 127.0.0.1 ports, with every file under one mkdtemp folder.
//
// It decides the flags (RBAC with a token-auth admin in system:masters, self-signed serving certs via
// --cert-dir, a generated service-account key, a dual-stack service range) and owns the processes' lives:
// stop() ends both and removes the folder, process exit and signals do the same, and a small detached reaper
// does it even when this process is SIGKILLed. It leaves to tests everything a controller-manager would do:
// there is no namespace finalizer (deleted namespaces stay Terminating), no EndpointSlice controller and no
// garbage collector, so tests isolate themselves by namespace and create Nodes and EndpointSlices themselves.
// The apiserver still allocates ClusterIPs and NodePorts.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ControlPlaneOptions {
  /** Folder with etcd, kube-apiserver and kubectl; default: $IRONLB_K8S_BIN_DIR, else `bin-dir.sh --check`. */
  readonly binDir?: string;
  /** Default '10.96.0.0/16,fd00:10:96::/112' (dual-stack, IPv4 primary). */
  readonly serviceClusterIPRange?: string;
  /** Bound on reaching /readyz, from the apiserver's start. Default 90 s. */
  readonly readyTimeoutMs?: number;
  /** Appended to the apiserver's flags (a later flag wins). */
  readonly extraApiServerArgs?: readonly string[];
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** Bearer token of an admin (user ironlb-admin, group system:masters). */
  readonly token: string;
  /** PEM of the CA that signed the serving certificate; clients verify TLS with it (never insecure). */
  readonly ca: string;
  readonly insecureSkipTLSVerify: false;
  /** A kubeconfig (cluster, token user, context) for kubectl and @kubernetes/client-node. */
  readonly kubeconfigPath: string;
  readonly binDir: string;
  /** The temporary folder that holds data, certs, keys, logs and the kubeconfig; removed by stop(). */
  readonly dir: string;
  readonly etcdUrl: string;
  /** Milliseconds from spawning etcd to the apiserver's /readyz answering 200. */
  readonly startupMs: number;
  /** The last `lines` lines of the apiserver's log (for a test's failure message). */
  apiServerLogTail(lines?: number): string;
  /** Ends the apiserver and etcd (SIGTERM, SIGKILL after a bound) and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

const BINARIES = ['etcd', 'kube-apiserver', 'kubectl'] as const;
const TERM_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 3;

/** The bin folder built by `make k8s-bins`; throws with the command to run when it is missing. */
export function k8sBinDir(explicit?: string): string {
  let dir = explicit ?? process.env['IRONLB_K8S_BIN_DIR'];
  if (dir === undefined || dir === '') {
    const script = findUp(dirname(fileURLToPath(import.meta.url)), join('specs', 'support', 'k8s', 'bin-dir.sh'));
    try {
      dir = execFileSync(script, ['--check'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    } catch (e) {
      throw new Error(`no Kubernetes binaries: run \`make k8s-bins\` first (${errText(e)})`);
    }
  }
  for (const b of BINARIES) {
    if (!existsSync(join(dir, b))) throw new Error(`${join(dir, b)} is missing: run \`make k8s-bins\``);
  }
  return dir;
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binDir = k8sBinDir(opts.binDir);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(binDir, opts);
    } catch (e) {
      // Free ports are found by binding to :0 and closing; another process can take one before we bind it.
      if (!(e instanceof PortClash) || attempt >= PORT_ATTEMPTS) throw e;
    }
  }
}

class PortClash extends Error {}

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logPath: string;
  readonly exited: Promise<void>;
  exit: string | undefined;
}

async function startOnce(binDir: string, opts: ControlPlaneOptions): Promise<ControlPlane> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-cp-'));
  const live = register(dir);
  try {
    const [etcdPort, peerPort, apiPort] = await freePorts(3);
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = launch(live, 'etcd', join(binDir, 'etcd'), [
      '--name=ironlb-test',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=ironlb-test=${peerUrl}`,
      '--unsafe-no-fsync', // throwaway data: durability buys nothing and costs seconds on a busy disk
    ]);
    await waitUntil(etcd, 30_000, async () => {
      const r = await get(`${etcdUrl}/health`, {});
      return r.status === 200 && r.body.includes('"true"');
    });

    const token = randomBytes(24).toString('hex');
    const tokensFile = join(dir, 'tokens.csv');
    writeFileSync(tokensFile, `${token},ironlb-admin,ironlb-admin-uid,"system:masters"\n`, { mode: 0o600 });
    // One private key serves both flags: the apiserver derives the public key for verification from it.
    const saKey = join(dir, 'sa.key');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(saKey, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    const certDir = join(dir, 'certs');
    mkdirSync(certDir);

    const api = launch(live, 'kube-apiserver', join(binDir, 'kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      // Explicit, so start-up never depends on the host having a default route; loopback is not a valid
      // endpoint address, hence no endpoint reconciler (the `kubernetes` Service has no endpoints).
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      `--service-cluster-ip-range=${opts.serviceClusterIPRange ?? '10.96.0.0/16,fd00:10:96::/112'}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${saKey}`,
      `--service-account-signing-key-file=${saKey}`,
      '--authorization-mode=RBAC',
      `--token-auth-file=${tokensFile}`,
      // Nothing creates the `default` ServiceAccount (no controller-manager), so Pods could not be created.
      '--disable-admission-plugins=ServiceAccount',
      '--profiling=false',
      ...(opts.extraApiServerArgs ?? []),
    ]);
    const server = `https://127.0.0.1:${apiPort}`;
    const certFile = join(certDir, 'apiserver.crt');
    let ca = '';
    await waitUntil(api, opts.readyTimeoutMs ?? 90_000, async () => {
      if (!existsSync(certFile)) return false;
      ca = lastPemBlock(readFileSync(certFile, 'utf8')); // re-read each time: never keep a half-written file
      const r = await get(`${server}/readyz`, { ca, token });
      return r.status === 200;
    });

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, JSON.stringify(kubeconfig(server, ca, token), null, 2), { mode: 0o600 });
    const startupMs = Date.now() - started;
    return {
      server,
      token,
      ca,
      insecureSkipTLSVerify: false,
      kubeconfigPath,
      binDir,
      dir,
      etcdUrl,
      startupMs,
      apiServerLogTail: (lines = 40) => tail(api.logPath, lines),
      stop: live.stop,
    };
  } catch (e) {
    const clash = [...live.procs].some((p) => /address already in use/.test(tail(p.logPath, 50)));
    // The apiserver's log first (it is the usual culprit), then a shorter look at etcd's.
    const logs = [...live.procs]
      .reverse()
      .map((p, i) => `--- last lines of ${p.name}'s log ---\n${tail(p.logPath, i === 0 ? 30 : 10)}`);
    await live.stop();
    const msg = `control plane did not start: ${errText(e)}\n${logs.join('\n')}`;
    throw clash ? new PortClash(msg) : new Error(msg);
  }
}

// ---- processes, and never leaking them ----------------------------------------------------------------

interface Live {
  readonly dir: string;
  readonly procs: Set<Proc>;
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
    procs: new Set(),
    reaper: undefined,
    stop: () => (stopping ??= stopLive(live)),
    killSync: () => {
      for (const p of live.procs) if (p.exit === undefined) p.child.kill('SIGKILL');
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
  const order = [...live.procs].reverse();
  for (const p of order) await terminate(p);
  live.reaper?.kill('SIGKILL');
  if (keepDir()) process.stderr.write(`controlPlane: kept ${live.dir} (IRONLB_KEEP_CONTROL_PLANE_DIR)\n`);
  else rmSync(live.dir, { recursive: true, force: true });
}

async function terminate(p: Proc): Promise<void> {
  if (p.exit !== undefined) return;
  p.child.kill('SIGTERM');
  if (await within(p.exited, TERM_GRACE_MS)) return;
  p.child.kill('SIGKILL');
  await within(p.exited, TERM_GRACE_MS);
}

function launch(live: Live, name: string, bin: string, args: readonly string[]): Proc {
  const logPath = join(live.dir, `${name}.log`);
  const fd = openSync(logPath, 'a');
  // detached: its own process group, so a terminal's Ctrl-C reaches only us and we decide the order.
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  // Unref'd: a test that forgets stop() still lets node exit, and the 'exit' handler then kills the child.
  child.unref();
  let resolveExit!: () => void;
  const proc: Proc = { name, child, logPath, exit: undefined, exited: new Promise((r) => (resolveExit = r)) };
  const markExit = (why: string): void => {
    proc.exit ??= why;
    resolveExit();
  };
  child.once('exit', (code, signal) => markExit(signal === null ? `exit code ${code}` : `signal ${signal}`));
  child.once('error', (e) => markExit(`spawn error: ${e.message}`));
  live.procs.add(proc);
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

async function waitUntil(p: Proc, timeoutMs: number, ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not tried';
  for (;;) {
    if (p.exit !== undefined) throw new Error(`${p.name} exited (${p.exit}) before it was ready`);
    try {
      if (await ready()) return;
      last = 'not ready yet';
    } catch (e) {
      last = errText(e);
    }
    if (Date.now() >= deadline) throw new Error(`${p.name} not ready after ${timeoutMs} ms (last probe: ${last})`);
    await sleep(200);
  }
}

interface Reply {
  readonly status: number;
  readonly body: string;
}

function get(url: string, auth: { readonly ca?: string; readonly token?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = auth.token === undefined ? {} : { authorization: `Bearer ${auth.token}` };
    const options = { headers, timeout: 2_000, ...(auth.ca === undefined ? {} : { ca: auth.ca }) };
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout on ${url}`)));
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

// --cert-dir gets "serving cert, then the CA that signed it" in apiserver.crt; clients trust the CA.
function lastPemBlock(pem: string): string {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const last = blocks[blocks.length - 1];
  if (last === undefined) throw new Error('apiserver.crt has no certificate');
  return `${last}\n`;
}

function kubeconfig(server: string, ca: string, token: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'ironlb-test', cluster: { server, 'certificate-authority-data': b64(ca) } }],
    users: [{ name: 'ironlb-admin', user: { token } }],
    contexts: [{ name: 'ironlb-test', context: { cluster: 'ironlb-test', user: 'ironlb-admin' } }],
    'current-context': 'ironlb-test',
    preferences: {},
  };
}

function findUp(from: string, rel: string): string {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, rel))) return join(d, rel);
    if (dirname(d) === d) throw new Error(`${rel} not found above ${from}`);
  }
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
