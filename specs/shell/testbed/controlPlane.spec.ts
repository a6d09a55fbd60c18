// The shared control-plane launcher without binaries: a recording host stands in for etcd and the apiserver
// (it writes the apiserver's certificate file as --cert-dir would), so the decisions are seen directly: the
// files and their modes, each command line, kubeconfigs only after /readyz, the CA re-read until it verifies,
// and bounded failure (a process gone, a deadline, an abort) naming what went wrong.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { kubeconfigPath, kubePaths, startControlPlane, type ControlPlaneHost, type ControlPlaneSpec, type ReadyProbe } from '../../../shell/testbed/controlPlane.js'

const PEM = (s: string): string => `-----BEGIN CERTIFICATE-----\n${s}\n-----END CERTIFICATE-----`

const mkSpec = (t: Tap, over: Partial<ControlPlaneSpec> = {}): ControlPlaneSpec => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-cp-spec-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return {
    binDir: '/bins',
    paths: kubePaths(dir),
    name: 'ironlb-test',
    etcdClientPort: 12379,
    etcdPeerPort: 12380,
    bindAddress: '127.0.0.1',
    advertiseAddress: '127.0.0.1',
    port: 16443,
    serviceClusterIPRange: '192.0.2.0/24',
    identities: [
      { file: 'admin', user: 'root', uid: 'u0', groups: ['system:masters'] },
      { file: 'controller', user: 'system:serviceaccount:metallb-system:controller', uid: 'u1', groups: ['system:serviceaccounts', 'system:serviceaccounts:metallb-system'] },
    ],
    ...over,
  }
}

type Tap = { teardown: (fn: () => unknown) => void }

interface Recorder extends ControlPlaneHost {
  readonly argv: Map<string, readonly string[]>
  readonly probes: ReadyProbe[]
  readonly kubeconfigsAtProbe: boolean[]
}

/** Starts nothing; the apiserver's "start" writes apiserver.crt; /readyz passes from probe `readyAt` on, if ever. */
const mkHost = (spec: ControlPlaneSpec, opts: { readyAt?: number; exits?: string; ca?: string } = {}): Recorder => {
  const argv = new Map<string, readonly string[]>()
  const probes: ReadyProbe[] = []
  const kubeconfigsAtProbe: boolean[] = []
  return {
    argv,
    probes,
    kubeconfigsAtProbe,
    start: async (name, a) => {
      argv.set(name, a)
      if (name === 'kube-apiserver') writeFileSync(join(spec.paths.certDir, 'apiserver.crt'), `${PEM('serving')}\n${PEM(opts.ca ?? 'the-ca')}\n`)
      return { name, exited: () => (name === opts.exits ? 'exit code 1' : undefined) }
    },
    readyz: async (p) => {
      probes.push(p)
      kubeconfigsAtProbe.push(exists(kubeconfigPath(spec.paths, 'admin')))
      return probes.length >= (opts.readyAt ?? 1)
    },
  }
}

const exists = (f: string): boolean => {
  try {
    statSync(f)
    return true
  } catch {
    return false
  }
}

const flag = (argv: readonly string[] | undefined, name: string): string | undefined => argv?.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)

t.test('files, command lines and kubeconfigs on loopback', async (t) => {
  const spec = mkSpec(t)
  const host = mkHost(spec, { readyAt: 3 })
  const cp = await startControlPlane(spec, host, 10_000)
  t.equal(cp.server, 'https://127.0.0.1:16443')
  const tokens = readFileSync(spec.paths.tokens, 'utf8').trim().split('\n')
  t.equal(tokens.length, 2, 'a token line per identity')
  t.match(tokens[1], /^[0-9a-f]{48},system:serviceaccount:metallb-system:controller,u1,"system:serviceaccounts,system:serviceaccounts:metallb-system"$/)
  for (const f of [spec.paths.tokens, spec.paths.saKey]) t.equal(statSync(f).mode & 0o777, 0o600, `${f} private`)
  const api = host.argv.get('kube-apiserver')
  t.equal(api?.[0], '/bins/kube-apiserver')
  t.equal(flag(api, 'etcd-servers'), 'http://127.0.0.1:12379')
  t.equal(flag(api, 'endpoint-reconciler-type'), 'none', 'loopback cannot be an endpoint')
  t.equal(flag(api, 'audit-log-path'), undefined, 'no audit without audited groups')
  t.equal(flag(host.argv.get('etcd'), 'listen-client-urls'), 'http://127.0.0.1:12379')
  t.equal(flag(host.argv.get('etcd'), 'initial-cluster'), 'ironlb-test=http://127.0.0.1:12380')
  t.same(host.kubeconfigsAtProbe, [false, false, false], 'kubeconfigs are written only once /readyz answered')
  t.equal(host.probes[0]?.url, 'https://127.0.0.1:16443/readyz')
  t.equal(host.probes[0]?.ca, `${PEM('the-ca')}\n`, 'the CA is the last block of apiserver.crt')
  t.equal(readFileSync(host.probes[0]?.caFile ?? '', 'utf8'), `${PEM('the-ca')}\n`)
  t.equal(host.probes[0]?.token, tokens[0]?.split(',')[0], 'probed as the first identity')
  const cfg = JSON.parse(readFileSync(kubeconfigPath(spec.paths, 'controller'), 'utf8')) as { clusters: { cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[] }
  t.equal(cfg.clusters[0]?.cluster.server, cp.server)
  t.equal(Buffer.from(cfg.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString(), `${PEM('the-ca')}\n`)
  t.equal(cfg.users[0]?.user.token, tokens[1]?.split(',')[0])
})

t.test('an apiserver on a lab address, audited', async (t) => {
  const spec = mkSpec(t, { bindAddress: '0.0.0.0', advertiseAddress: '198.51.100.2', port: 6443, auditGroups: ['system:serviceaccounts:metallb-system'] })
  const host = mkHost(spec)
  const cp = await startControlPlane(spec, host, 10_000)
  t.equal(cp.server, 'https://198.51.100.2:6443')
  const api = host.argv.get('kube-apiserver')
  t.equal(flag(api, 'endpoint-reconciler-type'), undefined, 'a routable advertise address keeps the endpoint reconciler')
  t.equal(flag(api, 'audit-log-path'), spec.paths.auditLog)
  t.equal(flag(api, 'audit-log-mode'), 'blocking')
  t.match(readFileSync(spec.paths.auditPolicy, 'utf8'), /userGroups: \["system:serviceaccounts:metallb-system"\]\n- level: None/)
})

t.test('failures are bounded and say what failed', async (t) => {
  const exited = mkSpec(t)
  await t.rejects(startControlPlane(exited, mkHost(exited, { exits: 'etcd' }), 10_000), /control plane did not start: etcd exited \(exit code 1\) before \/readyz answered\n--- last lines of kube-apiserver's log/)
  const slow = mkSpec(t)
  const started = Date.now()
  await t.rejects(startControlPlane(slow, mkHost(slow, { readyAt: Infinity }), 600), /\/readyz: not within 600 ms \(last probe: not ready yet\)/)
  t.ok(Date.now() - started < 5_000, 'the deadline holds')
  const aborted = mkSpec(t)
  const ac = new AbortController()
  ac.abort()
  await t.rejects(startControlPlane(aborted, mkHost(aborted, { readyAt: Infinity }), 60_000, ac.signal), /interrupted/)
  const noCa = mkSpec(t)
  const host = mkHost(noCa, { readyAt: Infinity })
  await t.rejects(startControlPlane(noCa, { ...host, start: async (name) => ({ name, exited: () => undefined }) }, 600), /last probe: no serving certificate yet/)
})
