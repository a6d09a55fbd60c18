// Integration: the control plane from controlPlane.ts is a real Kubernetes API. Uses the one that
// withControlPlane exported in IRONLB_TEST_KUBECONFIG, or starts its own when run alone (`npx tap` on this
// file with the binaries built). Each test works in its own namespace.

import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig, type V1Service } from '@kubernetes/client-node';
import t from 'tap';
import { k8sBinDir, startControlPlane } from './controlPlane.js';

const run = promisify(execFile);

let kubeconfigPath = process.env['IRONLB_TEST_KUBECONFIG'];
if (kubeconfigPath === undefined || kubeconfigPath === '') {
  const cp = await startControlPlane();
  t.teardown(() => cp.stop());
  kubeconfigPath = cp.kubeconfigPath;
}
const kubeconfig: string = kubeconfigPath;
const kubectl = join(k8sBinDir(), 'kubectl');

const core = (): CoreV1Api => {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc.makeApiClient(CoreV1Api);
};

const mkNamespace = async (api: CoreV1Api, prefix: string): Promise<string> => {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  await api.createNamespace({ body: { metadata: { name } } });
  return name;
};

const mkLoadBalancer = (name: string): V1Service => ({
  metadata: { name },
  spec: {
    type: 'LoadBalancer',
    ipFamilyPolicy: 'RequireDualStack',
    ipFamilies: ['IPv4', 'IPv6'],
    selector: { app: name },
    ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
  },
});

t.test('a LoadBalancer Service is stored with dual-stack ClusterIPs and a NodePort', async (t) => {
  const api = core();
  const namespace = await mkNamespace(api, 'it-cp-svc');
  await api.createNamespacedService({ namespace, body: mkLoadBalancer('web') });

  const svc = await api.readNamespacedService({ name: 'web', namespace });
  t.equal(svc.spec?.type, 'LoadBalancer');
  const ips = svc.spec?.clusterIPs ?? [];
  t.equal(ips.length, 2, `two ClusterIPs: ${ips.join(', ')}`);
  t.match(ips[0], /^10\.96\.\d+\.\d+$/, 'IPv4 first, from 10.96.0.0/16');
  t.match(ips[1], /^fd00:10:96::[0-9a-f:]+$/, 'then IPv6, from fd00:10:96::/112');
  t.equal(svc.spec?.clusterIP, ips[0]);
  const nodePort = svc.spec?.ports?.[0]?.nodePort ?? 0;
  t.ok(nodePort >= 30000 && nodePort <= 32767, `NodePort ${nodePort} allocated`);
  t.same(svc.status?.loadBalancer ?? {}, {}, 'no controller has assigned an ingress IP');
});

t.test('the built kubectl reads the API with the same kubeconfig', async (t) => {
  const namespace = await mkNamespace(core(), 'it-cp-kubectl');
  const { stdout } = await run(kubectl, ['--kubeconfig', kubeconfig, 'get', 'ns', '-o', 'json']);
  const list = JSON.parse(stdout) as { kind: string; items: { metadata: { name: string } }[] };
  t.equal(list.kind, 'List');
  const names = list.items.map((n) => n.metadata.name);
  t.ok(names.includes('default'), 'default namespace');
  t.ok(names.includes(namespace), `our namespace ${namespace}`);
});

t.test('stop() ends etcd and kube-apiserver and removes every file', async (t) => {
  const cp = await startControlPlane();
  const pids = readdirSync(cp.dir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => Number(readFileSync(join(cp.dir, f), 'utf8')));
  t.equal(pids.length, 2, 'two processes');
  for (const pid of pids) t.ok(alive(pid), `pid ${pid} alive while running`);
  t.ok(cp.startupMs > 0, `ready in ${cp.startupMs} ms`);

  await cp.stop();
  t.notOk(existsSync(cp.dir), `${cp.dir} removed`);
  for (const pid of pids) t.notOk(alive(pid), `pid ${pid} gone`);
  await cp.stop(); // idempotent
});

t.test('a SIGKILLed owner leaks nothing: the reaper ends both processes and removes the folder', async (t) => {
  // A child node process (with tap's TypeScript loader) starts a control plane, reports it, and is killed.
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  const code = [
    `const { startControlPlane } = await import(${JSON.stringify(new URL('./controlPlane.ts', import.meta.url).href)});`,
    'const cp = await startControlPlane();',
    "process.stdout.write(JSON.stringify({ dir: cp.dir }) + '\\n');",
    'setInterval(() => {}, 1000);',
  ].join('\n');
  const owner = spawn(process.execPath, [...loader, '--input-type=module', '-e', code], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => void owner.kill('SIGKILL'));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    owner.stdout.setEncoding('utf8');
    owner.stdout.on('data', (c: string) => {
      out += c;
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
    });
    owner.once('exit', (code) => reject(new Error(`owner exited (${code}) before reporting`)));
  });
  const { dir } = JSON.parse(line) as { dir: string };
  const pids = readdirSync(dir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => Number(readFileSync(join(dir, f), 'utf8')));
  t.equal(pids.length, 2, 'two processes');

  owner.kill('SIGKILL');
  const deadline = Date.now() + 20_000;
  while ((existsSync(dir) || pids.some(alive)) && Date.now() < deadline) await sleep(250);
  t.notOk(existsSync(dir), `${dir} removed`);
  for (const pid of pids) t.notOk(alive(pid), `pid ${pid} gone`);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
