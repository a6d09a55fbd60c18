// The controller's kubeconfig loader against @kubernetes/client-node's KubeConfig, which it replaces in the
// controller: the same server, TLS material and Authorization for the kinds of kubeconfig the daemons meet;
// kubectl's KUBECONFIG merge; the in-cluster ServiceAccount; exec plugins; refusals that name the field.
// And the reason it exists: the controller's modules never import client-node's index.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type * as https from 'node:https'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { KubeConfig } from '@kubernetes/client-node'
import t from 'tap'
import { loadKubeConfig } from '../../../shell/kube/kubeConfig.js'
import type { KubeAccess } from '../../../shell/kube/rest.js'
import { repoRoot } from '../../support/repoRoot.js'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

const mkKubeconfig = (cluster: Record<string, unknown>, user: Record<string, unknown>): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://192.0.2.10:6443', ...cluster } }],
    users: [{ name: 'u', user }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  })

/** What the REST client reads of a kubeconfig, with basic auth as the header client-node's `auth` would make. */
const seen = async (kc: KubeAccess): Promise<Record<string, unknown>> => {
  const opts: https.RequestOptions = {}
  await kc.applyToHTTPSOptions(opts)
  const headers = { ...(opts.headers as Record<string, string> | undefined) }
  if (opts.auth !== undefined && opts.auth !== null) headers['Authorization'] = `Basic ${b64(opts.auth)}`
  const text = (x: unknown): string | undefined => (x === undefined ? undefined : String(x))
  return { server: kc.getCurrentCluster()?.server, ca: text(opts.ca), cert: text(opts.cert), key: text(opts.key), rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername, headers }
}

const withDir = async (f: (dir: string) => Promise<void>): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-kubeconfig-'))
  try {
    await f(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

t.test('the same server, TLS material and credentials as client-node', async (t) => {
  const rows = [
    { desc: 'token, CA as data', cluster: { 'certificate-authority-data': b64('CA-DATA') }, user: { token: 'tok-1' } },
    { desc: 'CA, certificate and key as files relative to the kubeconfig', cluster: { 'certificate-authority': 'ca.crt' }, user: { 'client-certificate': 'sub/c.crt', 'client-key': 'sub/c.key' } },
    { desc: 'certificate and key as data', cluster: { 'certificate-authority-data': b64('CA') }, user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') } },
    { desc: 'insecure-skip-tls-verify and tls-server-name', cluster: { 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.example' }, user: { token: 'tok-2' } },
    { desc: 'basic auth', cluster: {}, user: { username: 'admin', password: 'pw' } },
    { desc: 'impersonation', cluster: {}, user: { token: 'tok-3', as: 'system:serviceaccount:metallb-system:controller' } },
    { desc: 'a token file through the tokenFile auth-provider', cluster: {}, user: { 'auth-provider': { name: 'tokenFile', config: { tokenFile: 'TOKEN_FILE' } } } },
    { desc: 'token-file', cluster: {}, user: { 'token-file': 'TOKEN_FILE' } },
  ]
  for (const row of rows)
    await withDir(async (dir) => {
      writeFileSync(join(dir, 'ca.crt'), 'CA-FILE')
      const sub = join(dir, 'sub')
      mkdirSync(sub)
      writeFileSync(join(sub, 'c.crt'), 'CERT-FILE')
      writeFileSync(join(sub, 'c.key'), 'KEY-FILE')
      writeFileSync(join(dir, 'token'), 'file-token')
      const file = join(dir, 'kubeconfig')
      writeFileSync(file, mkKubeconfig(row.cluster, JSON.parse(JSON.stringify(row.user).replace('TOKEN_FILE', join(dir, 'token'))) as Record<string, unknown>))
      const theirs = new KubeConfig()
      theirs.loadFromFile(file)
      const want = await seen(theirs)
      t.same(await seen(loadKubeConfig(file, {})), want, row.desc)
      t.not(want['headers'], undefined, `${row.desc}: client-node saw something`)
    })
})

t.test("KUBECONFIG lists files: kubectl's merge, the first to name a thing wins", async (t) =>
  withDir(async (dir) => {
    const a = join(dir, 'a')
    const b = join(dir, 'b')
    writeFileSync(a, JSON.stringify({ clusters: [{ name: 'c', cluster: { server: 'https://192.0.2.1:6443' } }], users: [], contexts: [], 'current-context': 'ctx-b' }))
    writeFileSync(b, mkKubeconfig({}, { token: 'from-b' }).replace('"name":"ctx"', '"name":"ctx-b"').replace('"current-context":"ctx"', '"current-context":"ctx-x"'))
    const kc = loadKubeConfig(undefined, { KUBECONFIG: `${a}:${b}`, HOME: dir })
    const s = await seen(kc)
    t.equal(s['server'], 'https://192.0.2.1:6443', "a's cluster c, not b's")
    t.same(s['headers'], { Authorization: 'Bearer from-b' }, "b's user, through a's current-context ctx-b")
  }),
)

t.test('~/.kube/config before the ServiceAccount', async (t) =>
  withDir(async (dir) => {
    mkdirSync(join(dir, '.kube'))
    writeFileSync(join(dir, '.kube', 'config'), mkKubeconfig({}, { token: 'home' }))
    writeFileSync(join(dir, 'token'), 'sa')
    t.same((await seen(loadKubeConfig(undefined, { HOME: dir }, dir)))['headers'], { Authorization: 'Bearer home' })
  }),
)

t.test('in the cluster: the Service from the env, the CA, the token from its file', async (t) =>
  withDir(async (dir) => {
    writeFileSync(join(dir, 'token'), 'sa-token')
    writeFileSync(join(dir, 'ca.crt'), 'SA-CA')
    const kc = loadKubeConfig(undefined, { KUBERNETES_SERVICE_HOST: '2001:db8::1', KUBERNETES_SERVICE_PORT: '443' }, dir)
    const s = await seen(kc)
    t.equal(s['server'], 'https://[2001:db8::1]:443')
    t.equal(s['ca'], 'SA-CA')
    t.same(s['headers'], { Authorization: 'Bearer sa-token' })
    t.throws(() => loadKubeConfig(undefined, {}, dir), /KUBERNETES_SERVICE_HOST/)
    t.throws(() => loadKubeConfig(undefined, {}, join(dir, 'none')), /no kubeconfig/)
  }),
)

t.test('an exec plugin gives the token', async (t) =>
  withDir(async (dir) => {
    const out = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'exec-token' } })
    const file = join(dir, 'kubeconfig')
    writeFileSync(file, mkKubeconfig({}, { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', `echo '${out}'`] } }))
    t.same((await seen(loadKubeConfig(file, {})))['headers'], { Authorization: 'Bearer exec-token' })
  }),
)

t.test('refused at load, naming the field', async (t) =>
  withDir(async (dir) => {
    const file = join(dir, 'kubeconfig')
    const rows = [
      { text: mkKubeconfig({}, { 'auth-provider': { name: 'oidc', config: { 'id-token': 'x' } } }), want: /auth-provider "oidc" is not supported/ },
      { text: mkKubeconfig({ 'proxy-url': 'http://192.0.2.9:3128' }, { token: 'x' }), want: /proxy-url is not supported/ },
      { text: mkKubeconfig({}, { token: 'x' }).replace('"current-context":"ctx"', '"current-context":"other"'), want: /current-context "other" not found/ },
    ]
    for (const row of rows) {
      writeFileSync(file, row.text)
      t.throws(() => loadKubeConfig(file, {}), row.want)
    }
  }),
)

/** The relative imports of a module, transitively; and every bare package name met on the way. */
const packagesReached = (entry: string): Set<string> => {
  const seenFiles = new Set<string>()
  const packages = new Set<string>()
  const visit = (file: string): void => {
    if (seenFiles.has(file)) return
    seenFiles.add(file)
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:^import\s[^'"]*|^export\s[^'"]*\sfrom\s|import\()\s*'([^']+)'/gm)) {
      const spec = m[1] ?? ''
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')))
      else packages.add(spec)
    }
  }
  visit(entry)
  return packages
}

t.test("the controller never loads client-node's index (+74 MiB RSS, ~0.9 s), only the parts it uses", async (t) => {
  const reached = packagesReached(join(repoRoot, 'shell', 'controller', 'main.ts'))
  t.notOk(reached.has('@kubernetes/client-node'), 'no import of the package index')
  t.ok([...reached].some((p) => p.startsWith('@kubernetes/client-node/dist/config_types')), 'the kubeconfig parser it does use')
})
