// What the *.cluster.ts specs that install IronLB share: their inputs (the built binaries and image
// archives, or why the spec skips), the probe Pods a LoadBalancer Service selects, the Layer 2
// configuration, and the inventory of every object the API server lists (what an uninstall must leave).
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { run } from '../../../../shell/testbed/sys.js'
import { isRoot, missingTools } from '../../netns.js'
import { repoRoot } from '../../repoRoot.js'
import type { Cluster } from './cluster.js'
import { POOL_RANGE, POOL_RANGE6 } from './plan.js'

// Absolute: ctr runs after nsenter --mount, which moves the working directory to the namespace's root.
export const IMAGE = resolve(process.env['IRONLB_IMAGE'] ?? join(repoRoot, 'dist', 'image', 'ironlb.oci.tar'))
export const PAUSE = resolve(process.env['IRONLB_PAUSE_IMAGE'] ?? join(repoRoot, 'dist', 'image', 'pause.oci.tar'))
export const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version
export const SANDBOX_IMAGE = 'localhost/ironlb/pause:1.0'

const checked = async (script: string): Promise<string | undefined> => {
  const r = await run([join(repoRoot, 'specs', 'support', script), '--check'])
  return r.code === 0 ? r.stdout.trim() : undefined
}

export interface ClusterInputs {
  readonly k8sBins: string
  readonly clusterBins: string
  /** Why the spec cannot run here, if it cannot. */
  readonly skip: string | undefined
  readonly missing: string | undefined
}

export const clusterInputs = async (tools: readonly string[]): Promise<ClusterInputs> => {
  const k8sBins = process.env['IRONLB_K8S_BIN_DIR'] ?? (await checked('k8s/bin-dir.sh'))
  const clusterBins = process.env['IRONLB_CLUSTER_BIN_DIR'] ?? (await checked('k8s-cluster/bin-dir.sh'))
  const skip = !isRoot()
    ? 'needs root (namespaces, cgroups)'
    : k8sBins === undefined || clusterBins === undefined
      ? 'run make k8s-bins cluster-bins'
      : ![IMAGE, PAUSE].every(existsSync)
        ? 'run make image pause-image'
        : undefined
  const missing = skip === undefined ? missingTools(tools) : undefined
  return { k8sBins: k8sBins ?? '', clusterBins: clusterBins ?? '', skip, missing }
}

// One Pod per node (anti-affinity by hostname), each serving its name and node over HTTP on 8080. With
// a CPU request, as a served application has: without one the Pod is BestEffort (cpu.shares 2), and
// while a speaker Pod (50m: 51) starts on its node, loading its modules for seconds on this loaded
// 2-core machine, the probe Pod answered after more than the prober's 1 s (issue 11's failed requests:
// the connections were accepted and the GET acknowledged by the Pod's kernel, the reply never came).
export const probePods = (replicas: number): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: probe, namespace: default}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: probe}}
  template:
    metadata: {labels: {app: probe}}
    spec:
      automountServiceAccountToken: false
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution: [{labelSelector: {matchLabels: {app: probe}}, topologyKey: kubernetes.io/hostname}]
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: http
        image: ghcr.io/ironlb/ironlb:${version}
        command: [node, -e, "require('http').createServer((q, s) => s.end(process.env.NODE_NAME + '\\\\n')).listen(8080)"]
        env: [{name: NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]
        ports: [{containerPort: 8080}]
        resources: {requests: {cpu: 100m}}
        readinessProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
`

export const l2Config = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lab-pool, namespace: metallb-system}
spec:
  addresses: [${POOL_RANGE}, ${POOL_RANGE6}]
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lab-l2, namespace: metallb-system}
spec:
  ipAddressPools: [lab-pool]
`

export const lbService = `apiVersion: v1
kind: Service
metadata: {name: probe-lb, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: probe}
  ports: [{port: 80, targetPort: 8080}]
`

// Both families: an IPv4 and an IPv6 address from the pool, each announced (ARP, NDP) and DNATed by kube-proxy.
export const dualStackService = `apiVersion: v1
kind: Service
metadata: {name: probe-dual, namespace: default}
spec:
  type: LoadBalancer
  ipFamilyPolicy: RequireDualStack
  ipFamilies: [IPv4, IPv6]
  selector: {app: probe}
  ports: [{port: 80, targetPort: 8080}]
`

// Events come and go on their own; nothing else should change but by an install or an uninstall.
const CHURN = new Set(['events', 'events.events.k8s.io'])

/**
 * Every object the API server lists, as "apiVersion kind namespace/name" lines, sorted. One kubectl for
 * every kind (it lists each in turn: one process, one discovery): a kubectl per kind took about 4 s a
 * listing at load 7, this 1.1-1.4 s at load 5-19, and an uninstall's check lists until nothing differs.
 */
export const inventory = async (kubectl: Cluster['kubectl']): Promise<string[]> => {
  const kinds = (await kubectl(['api-resources', '--verbs=list', '-o', 'name'])).stdout.split('\n').filter((k) => k !== '' && !CHURN.has(k))
  const r = await kubectl(['get', kinds.join(','), '--all-namespaces', '--ignore-not-found', '-o', 'jsonpath={range .items[*]}{.apiVersion} {.kind} {.metadata.namespace}/{.metadata.name}{"\\n"}{end}'], undefined, 60_000)
  const lines = r.stdout.split('\n').filter((l) => l !== '')
  // A kind going away as it is listed (a CRD being deleted): a line that differs, so that a poll goes on.
  if (r.code !== 0) lines.push(`? ${r.stderr.trim().split('\n').at(-1) ?? ''}`)
  return lines.sort()
}

/** What `after` has that `before` had not, and what it lost. */
export const inventoryDiff = (before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } => {
  const b = new Set(before)
  const a = new Set(after)
  return { added: after.filter((l) => !b.has(l)), removed: before.filter((l) => !a.has(l)) }
}
