// Integration: the generated CRDs on a real kube-apiserver (specs/support/controlPlane.ts). The
// manifests install, MetalLB's documented example applies unchanged and reads back with the
// defaults filled in, the examples under deploy/examples apply, both BGPPeer versions behave as the
// conversion note in core/crd/kinds/bgpPeer.ts says, and the status kinds take status writes.
import t from 'tap'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { REPO, applyAndWait, connect, mkNamespace, mkObject } from './kubectl.js'
import { SEED_POOL_YAML } from '../support/seedPool.js'

const kubectl = await connect()

const EXAMPLES = join(REPO, 'deploy/examples')

/**
 * What this file leaves in shared namespaces is deleted again, so a controller another spec runs
 * against the same API server never sees it: every example object but the namespaces (deleting a
 * namespace would leave it Terminating, as the test control plane has no namespace controller).
 */
const forgetExamples = async (): Promise<void> => {
  const files = existsSync(EXAMPLES) ? readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f)) : []
  const docs = files.flatMap((f) => parseAllDocuments(readFileSync(join(EXAMPLES, f), 'utf8')).map((d) => d.toJS() as { kind?: string } | null))
  const objects = docs.filter((d) => d !== null && d.kind !== 'Namespace')
  if (objects.length > 0) await kubectl(['delete', '--ignore-not-found', '--wait=false', '-f', '-'], objects.map((o) => JSON.stringify(o)).join('\n---\n'))
  await kubectl(['delete', 'ipaddresspool', 'first-pool', '-n', 'metallb-system', '--ignore-not-found', '--wait=false'])
}
t.teardown(async () => {
  await forgetExamples()
  await kubectl.stop()
})


const json = (text: string): Record<string, any> => JSON.parse(text) as Record<string, any>

// The webhook configuration (50-webhook.yaml) is only validated here (server-side dry run): installed
// on this shared API server, with no controller behind its Service, it would refuse every MetalLB
// write of every spec running beside this one. specs/deploy/webhook.int.ts installs it, scoped.
const INSTALLED = readdirSync(join(REPO, 'deploy', 'manifests'))
  .filter((f) => f.endsWith('.yaml') && f !== '50-webhook.yaml')
  .sort()
  .map((f) => `deploy/manifests/${f}`)

t.test('kubectl apply -f deploy/manifests/ installs everything, the CRDs included', async (t) => {
  const applied = await applyAndWait(kubectl, INSTALLED)
  const webhook = await kubectl(['apply', '--dry-run=server', '-f', 'deploy/manifests/50-webhook.yaml'])
  t.equal(webhook.code, 0, `the webhook's Service and configuration are valid: ${webhook.stderr}`)
  for (const name of ['ipaddresspools', 'bgppeers', 'configurationstates'])
    t.match(applied.stdout, new RegExp(`customresourcedefinition.apiextensions.k8s.io/${name}.metallb.io (created|configured|unchanged)`))
  const resources = await kubectl(['api-resources', '--api-group=metallb.io', '-o', 'name'])
  t.equal(resources.code, 0)
  t.same(resources.stdout.trim().split('\n').sort(), [
    'bfdprofiles.metallb.io',
    'bgpadvertisements.metallb.io',
    'bgppeers.metallb.io',
    'communities.metallb.io',
    'configurationstates.metallb.io',
    'ipaddresspools.metallb.io',
    'l2advertisements.metallb.io',
    'servicebgpstatuses.metallb.io',
    'servicel2statuses.metallb.io',
  ])
})

t.test('the seed example applies unchanged and reads back with MetalLB\'s defaults', async (t) => {
  const r = await kubectl(['apply', '-f', '-'], SEED_POOL_YAML)
  t.equal(r.code, 0, r.stderr)
  const got = await kubectl(['get', 'ipaddresspool', 'first-pool', '-n', 'metallb-system', '-o', 'json'])
  t.equal(got.code, 0, got.stderr)
  t.same(json(got.stdout)['spec'], {
    addresses: ['192.168.10.0/24', '192.168.9.1-192.168.9.5', 'fc00:f853:0ccd:e799::/124'],
    autoAssign: true,
    avoidBuggyIPs: false,
  })
  const table = await kubectl(['get', 'ipaddresspool', 'first-pool', '-n', 'metallb-system'])
  t.match(table.stdout, /NAME\s+AUTO ASSIGN\s+AVOID BUGGY IPS\s+ADDRESSES/, 'MetalLB\'s printer columns')
  t.match(table.stdout, /first-pool\s+true\s+false\s+\["192.168.10.0\/24"/)
})

t.test('every example under deploy/examples applies', { skip: !existsSync(EXAMPLES) }, async (t) => {
  const r = await kubectl(['apply', '-f', 'deploy/examples/'])
  t.equal(r.code, 0, r.stderr)
  t.notMatch(r.stdout, /error/i)
})

t.test('BGPPeer: v1beta1 is served and stored as v1beta2; v1beta2-only fields are hidden from v1beta1', async (t) => {
  const ns = await mkNamespace(kubectl, 'it-crd-peer')
  const old = mkObject('v1beta1', 'BGPPeer', 'old', ns, {
    spec: { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', holdTime: '90s', nodeSelectors: [{ matchExpressions: [{ key: 'rack', operator: 'In', values: ['a'] }] }] },
  })
  const created = await kubectl(['apply', '-f', '-'], old)
  t.equal(created.code, 0, created.stderr)
  t.match(created.stderr, /v1beta1 BGPPeer is deprecated/, 'kubectl warns about v1beta1')
  const asV2 = json((await kubectl(['get', 'bgppeers.v1beta2.metallb.io', 'old', '-n', ns, '-o', 'json'])).stdout)
  t.equal(asV2['apiVersion'], 'metallb.io/v1beta2')
  t.same(asV2['spec'], {
    myASN: 64500,
    peerASN: 64501,
    peerAddress: '192.0.2.1',
    holdTime: '90s',
    nodeSelectors: [{ matchExpressions: [{ key: 'rack', operator: 'In', values: ['a'] }] }],
    peerPort: 179,
    disableMP: false,
  }, 'read as v1beta2 with v1beta2 defaults')

  const modern = mkObject('v1beta2', 'BGPPeer', 'modern', ns, {
    spec: { myASN: 4200000000, dynamicASN: 'external', interface: 'eth1', connectTime: '10s', passwordSecret: { name: 'bgp-auth' } },
  })
  const made = await kubectl(['apply', '-f', '-'], modern)
  t.equal(made.code, 0, `a 4-byte AS number and BGP unnumbered: ${made.stderr}`)
  const asV1 = json((await kubectl(['get', 'bgppeers.v1beta1.metallb.io', 'modern', '-n', ns, '-o', 'json'])).stdout)
  t.equal(asV1['apiVersion'], 'metallb.io/v1beta1')
  t.same(asV1['spec'], { myASN: 4200000000, peerPort: 179 }, 'conversion None: v1beta1 sees only its own fields')
  const stillV2 = json((await kubectl(['get', 'bgppeers.v1beta2.metallb.io', 'modern', '-n', ns, '-o', 'json'])).stdout)
  t.equal(stillV2['spec']['dynamicASN'], 'external', 'the stored object keeps them')
})

t.test('BGPPeer: enableGracefulRestart cannot change after creation', async (t) => {
  const ns = await mkNamespace(kubectl, 'it-crd-gr')
  const peer = (value: boolean): string =>
    mkObject('v1beta2', 'BGPPeer', 'gr', ns, { spec: { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.7', enableGracefulRestart: value } })
  t.equal((await kubectl(['apply', '-f', '-'], peer(true))).code, 0)
  const changed = await kubectl(['apply', '-f', '-'], peer(false))
  t.not(changed.code, 0)
  t.match(changed.stderr, /spec\.enableGracefulRestart: Invalid value: .*enableGracefulRestart cannot be changed after creation/)
})

t.test('status kinds: written through the status subresource, with their rules', async (t) => {
  const ns = await mkNamespace(kubectl, 'it-crd-status')
  const status = (kind: string, name: string, body: object): Promise<{ code: number; stderr: string }> =>
    kubectl(['patch', kind, name, '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: body })])

  t.equal((await kubectl(['apply', '-f', '-'], mkObject('v1beta1', 'IPAddressPool', 'p', ns, { spec: { addresses: ['10.1.0.0/24'] } }))).code, 0)
  const counters = { assignedIPv4: 2, assignedIPv6: 0, availableIPv4: 254, availableIPv6: 0 }
  t.equal((await status('ipaddresspool', 'p', counters)).code, 0)
  t.same(json((await kubectl(['get', 'ipaddresspool', 'p', '-n', ns, '-o', 'json'])).stdout)['status'], counters)

  const labels = { 'metallb.io/node': 'n1', 'metallb.io/service-name': 'web', 'metallb.io/service-namespace': 'shop' }
  const l2 = JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status', metadata: { name: 'l2-abc12', namespace: ns, labels } })
  t.equal((await kubectl(['apply', '-f', '-'], l2)).code, 0)
  t.equal((await status('servicel2status', 'l2-abc12', { node: 'n1', serviceName: 'web', serviceNamespace: 'shop', interfaces: [{ name: 'eth0' }] })).code, 0)
  const table = await kubectl(['get', 'servicel2statuses', '-n', ns, '-l', 'metallb.io/service-name=web'])
  t.match(table.stdout, /NAME\s+ALLOCATED NODE\s+SERVICE NAME\s+SERVICE NAMESPACE\n.*l2-abc12\s+n1\s+web\s+shop/)
  const moved = await status('servicel2status', 'l2-abc12', { node: 'n2' })
  t.match(moved.stderr, /status\.node: Invalid value: "n2": node cannot be changed once set/)

  const bgp = JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'ServiceBGPStatus', metadata: { name: 'bgp-xyz98', namespace: ns, labels } })
  t.equal((await kubectl(['apply', '-f', '-'], bgp)).code, 0)
  t.equal((await status('servicebgpstatus', 'bgp-xyz98', { node: 'n1', serviceName: 'web', serviceNamespace: 'shop', peers: ['tor-a', 'tor-b'] })).code, 0)
  t.match((await status('servicebgpstatus', 'bgp-xyz98', { serviceName: 'api' })).stderr, /status\.serviceName: Invalid value: "api": serviceName cannot be changed once set/)

  const cs = JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'ConfigurationState', metadata: { name: 'controller', namespace: ns, labels: { 'metallb.io/component-type': 'controller' } } })
  t.equal((await kubectl(['apply', '-f', '-'], cs)).code, 0)
  const condition = { type: 'Ready', status: 'False', reason: 'InvalidConfiguration', message: 'one error', lastTransitionTime: '2026-01-01T00:00:00Z' }
  t.equal((await status('configurationstate', 'controller', { result: 'Invalid', errorSummary: 'IPAddressPool p: spec.addresses[0]: bad', conditions: [condition] })).code, 0)
  t.match((await kubectl(['get', 'configurationstates', '-n', ns])).stdout, /NAME\s+RESULT\s+ERRORSUMMARY\s+AGE\ncontroller\s+Invalid\s+IPAddressPool p: spec.addresses\[0\]: bad/)
  t.match((await status('configurationstate', 'controller', { result: 'Maybe' })).stderr, /status\.result: Unsupported value: "Maybe": supported values: "Valid", "Invalid", "Unknown"/)
  t.match((await status('configurationstate', 'controller', { conditions: [{ ...condition, reason: '' }] })).stderr, /status\.conditions\[0\]\.reason/)
})
