// The kubeconfig the controller connects with: which server, which TLS material, which credentials.
// The file is read with @kubernetes/client-node's own kubeconfig parser (config_types.js) and the
// credentials come from its exec and token-file authenticators, imported one by one: its index also
// loads the generated API client, +74 MiB RSS and 0.8-0.9 s of start-up (measured 2026-12-03, load 6)
// for nothing the controller calls. Covered: --kubeconfig, KUBECONFIG (kubectl's merge: the first file
// to name a thing wins), ~/.kube/config, the in-cluster ServiceAccount; CA, certificate and key as files
// or data; bearer tokens, token files (client-node re-reads them every 60 s: projected tokens rotate),
// exec plugins, basic auth, tls-server-name, insecure-skip-tls-verify, impersonation. The auth-provider
// plugins (oidc, azure, gcp) and proxy-url are refused at load, naming the field.
import { existsSync, readFileSync } from 'node:fs'
import type * as https from 'node:https'
import { isIPv6 } from 'node:net'
import { delimiter, dirname, isAbsolute, join } from 'node:path'
import { type Cluster, type Context, type User, newClusters, newContexts, newUsers } from '@kubernetes/client-node/dist/config_types.js'
import { ExecAuth } from '@kubernetes/client-node/dist/exec_auth.js'
import { FileAuth } from '@kubernetes/client-node/dist/file_auth.js'
import jsYaml from 'js-yaml'
import type { KubeAccess } from './rest.js'

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'

/** Set and not empty: client-node's parser leaves absent fields undefined or null. */
const present = (s: string | undefined | null): s is string => typeof s === 'string' && s !== ''

interface Parsed {
  readonly clusters: readonly Cluster[]
  readonly users: readonly User[]
  readonly contexts: readonly Context[]
  readonly current: string | undefined
}

/** One kubeconfig file; relative certificate paths are relative to the file, as kubectl reads them. */
const parseFile = (file: string): Parsed => {
  const raw = (jsYaml.load(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>
  const near = (p: string | undefined | null): string | undefined => (!present(p) ? undefined : isAbsolute(p) ? p : join(dirname(file), p))
  return {
    clusters: newClusters(raw['clusters']).map((c) => ({ ...c, caFile: near(c.caFile) }) as Cluster),
    users: newUsers(raw['users']).map((u) => ({ ...u, certFile: near(u.certFile), keyFile: near(u.keyFile) }) as User),
    contexts: newContexts(raw['contexts']),
    current: typeof raw['current-context'] === 'string' && raw['current-context'] !== '' ? raw['current-context'] : undefined,
  }
}

const firstOfEachName = <T extends { readonly name: string }>(lists: readonly (readonly T[])[]): T[] => {
  const byName = new Map<string, T>()
  for (const x of lists.flat()) if (!byName.has(x.name)) byName.set(x.name, x)
  return [...byName.values()]
}

const merged = (files: readonly Parsed[]): Parsed => ({
  clusters: firstOfEachName(files.map((f) => f.clusters)),
  users: firstOfEachName(files.map((f) => f.users)),
  contexts: firstOfEachName(files.map((f) => f.contexts)),
  current: files.find((f) => f.current !== undefined)?.current,
})

/** The Pod's ServiceAccount: the API server's Service from the env, its CA, and the rotating token file. */
const inCluster = (env: NodeJS.ProcessEnv, dir: string): Parsed => {
  const host = env['KUBERNETES_SERVICE_HOST']
  const port = env['KUBERNETES_SERVICE_PORT']
  if (host === undefined || host === '' || port === undefined || port === '') throw new Error('in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set')
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`
  return {
    clusters: [{ name: 'in-cluster', server, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    current: 'in-cluster',
  }
}

/** Where the config comes from, in kubectl's and client-node's order. */
const source = (path: string | undefined, env: NodeJS.ProcessEnv, saDir: string): Parsed => {
  if (path !== undefined) return parseFile(path)
  const listed = (env['KUBECONFIG'] ?? '').split(delimiter).filter((f) => f !== '')
  if (listed.length > 0) return merged(listed.map(parseFile))
  const home = env['HOME'] === undefined || env['HOME'] === '' ? undefined : join(env['HOME'], '.kube', 'config')
  if (home !== undefined && existsSync(home)) return parseFile(home)
  if (existsSync(join(saDir, 'token'))) return inCluster(env, saDir)
  throw new Error(`no kubeconfig: no --kubeconfig, KUBECONFIG, ~/.kube/config or ${saDir}/token`)
}

const bytes = (file: string | undefined | null, data: string | undefined | null): Buffer | undefined =>
  present(file) ? readFileSync(file) : present(data) ? Buffer.from(data, 'base64') : undefined

/** The authenticator a user needs, or an error naming what IronLB does not support. */
const authenticatorOf = (user: User | undefined): ExecAuth | FileAuth | undefined => {
  if (user === undefined) return undefined
  const exec = new ExecAuth()
  if (exec.isAuthProvider(user)) return exec
  const file = new FileAuth()
  if (file.isAuthProvider(user)) return file
  const provider = (user.authProvider as { name?: unknown } | null | undefined)?.name
  if (user.authProvider !== undefined && user.authProvider !== null)
    throw new Error(`kubeconfig user "${user.name}": auth-provider "${String(provider)}" is not supported (use an exec plugin or a token)`)
  return undefined
}

const pick = <T extends { readonly name: string }>(list: readonly T[], name: string | undefined, what: string): T => {
  const found = list.find((x) => x.name === name)
  if (found === undefined) throw new Error(`kubeconfig: ${what} "${String(name)}" not found`)
  return found
}

/**
 * The current context's cluster and user, TLS material read once (the REST client builds its agent once),
 * credentials applied per request. `saDir` and `env` are parameters for the specs.
 */
export const loadKubeConfig = (path: string | undefined, env: NodeJS.ProcessEnv = process.env, saDir = SERVICE_ACCOUNT_DIR): KubeAccess => {
  const config = source(path, env, saDir)
  const context = pick(config.contexts, config.current, 'current-context')
  const cluster = pick(config.clusters, context.cluster, 'cluster')
  const user = context.user === undefined ? undefined : pick(config.users, context.user, 'user')
  if (present(cluster.proxyUrl)) throw new Error(`kubeconfig cluster "${cluster.name}": proxy-url is not supported`)
  const auth = authenticatorOf(user)
  const tls = { ca: bytes(cluster.caFile, cluster.caData), cert: bytes(user?.certFile, user?.certData), key: bytes(user?.keyFile, user?.keyData) }
  return {
    getCurrentCluster: () => ({ server: cluster.server }),
    applyToHTTPSOptions: async (opts: https.RequestOptions) => {
      if (cluster.skipTLSVerify) opts.rejectUnauthorized = false
      if (present(cluster.tlsServerName)) opts.servername = cluster.tlsServerName
      if (tls.ca !== undefined) opts.ca = tls.ca
      if (tls.cert !== undefined) opts.cert = tls.cert
      if (tls.key !== undefined) opts.key = tls.key
      const headers = (opts.headers ??= {}) as Record<string, string>
      if (present(user?.impersonateUser)) headers['Impersonate-User'] = user.impersonateUser
      // A header, not client-node's `auth` option: the REST client sends headers only.
      if (present(user?.username)) headers['Authorization'] = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`
      if (auth !== undefined && user !== undefined) await auth.applyAuthentication(user, opts)
      if (present(user?.token)) headers['Authorization'] = `Bearer ${user.token}`
    },
  }
}
