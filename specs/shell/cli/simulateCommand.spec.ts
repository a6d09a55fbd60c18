// `ironlb simulate` end to end through its command function: files in, text and exit status out.
import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runSimulate } from '../../../shell/cli/simulateCommand.js'
import { SEED_POOL_YAML } from '../../support/seedPool.js'

const examples = fileURLToPath(new URL('../../../deploy/examples/', import.meta.url))

const run = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
  let out = ''
  let err = ''
  const code = await runSimulate(argv, { out: (s) => (out += s), err: (s) => (err += s) })
  return { code, out, err }
}

const scratch = (t: { teardown: (fn: () => void) => void }, files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-sim-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

const svc = (name: string, created: string): string => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: default, creationTimestamp: "${created}"}
spec: {type: LoadBalancer, ports: [{port: 80, protocol: TCP}]}
`

t.test('the contract example: the first Service gets the first address', async (t) => {
  const dir = scratch(t, { 'all.yaml': SEED_POOL_YAML + svc('web', '2026-01-01T00:00:00Z') })
  const { code, out } = await run(['--output', 'json', dir])
  t.equal(code, 0)
  const report = JSON.parse(out) as { services: unknown[]; pools: unknown[]; errors: unknown[] }
  t.same(report.services, [{ namespace: 'default', name: 'web', status: 'assigned', ips: ['192.168.10.0'], pool: 'first-pool', reason: null, message: null }])
  t.same(report.pools, [{ name: 'first-pool', assignedIPv4: 1, assignedIPv6: 0, availableIPv4: 260, availableIPv6: 16 }])
  t.same(report.errors, [])
})

t.test('a full pool leaves the latecomer pending with the reason', async (t) => {
  const tiny = SEED_POOL_YAML.replace(/addresses:[\s\S]*$/, 'addresses:\n  - 192.0.2.1/32\n')
  const dir = scratch(t, { 'all.yaml': tiny + svc('web', '2026-01-01T00:00:00Z') + svc('db', '2026-01-02T00:00:00Z') })
  const { code, out } = await run(['--output=json', dir])
  t.equal(code, 0, 'a working config exits 0 even with pending Services')
  const report = JSON.parse(out) as { services: { name: string; status: string; reason: string | null; message: string | null }[] }
  const db = report.services.find((s) => s.name === 'db')
  t.same([db?.status, db?.reason], ['pending', 'NoAvailableIPs'])
  t.match(db?.message ?? '', /first-pool/, 'the message names the pool')
  t.same(report.services.map((s) => s.name), ['db', 'web'], 'sorted by namespace then name')
})

t.test('an invalid config exits 1 and lists every error', async (t) => {
  const broken = `${SEED_POOL_YAML.replace('192.168.10.0/24', '192.168.10.5')}---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: {name: fast, namespace: metallb-system}
spec: {receiveInterval: 5}
`
  const { code, out } = await run(['--output', 'json', scratch(t, { 'bad.yaml': broken })])
  t.equal(code, 1)
  const report = JSON.parse(out) as { errors: { kind: string; name: string; field: string; message: string }[] }
  t.ok(report.errors.some((e) => e.kind === 'IPAddressPool' && e.name === 'first-pool' && e.field.startsWith('spec.addresses')), 'the pool error names the field')
  t.ok(report.errors.some((e) => e.kind === 'BFDProfile' && e.name === 'fast' && e.field === 'spec.receiveInterval'), 'and the BFD error too')
})

t.test('unreadable YAML exits 2 naming file and line', async (t) => {
  const dir = scratch(t, { 'broken.yaml': 'kind: Service\nmetadata:\n  name: [oops\n' })
  const { code, err } = await run([dir])
  t.equal(code, 2)
  t.match(err, /broken\.yaml:\d+: invalid YAML/)
})

t.test('other kinds are ignored with a note on stderr', async (t) => {
  const dir = scratch(t, { 'x.yaml': `${SEED_POOL_YAML}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\n` })
  const { code, err } = await run([dir])
  t.equal(code, 0)
  t.match(err, /note: ignored Deployment default\/web/)
})

t.test('bad flags exit 2', async (t) => {
  t.equal((await run(['--output', 'xml', examples])).code, 2)
  t.equal((await run(['--bogus', 'x', examples])).code, 2)
  t.equal((await run([])).code, 2)
})

t.test('the shipped examples simulate cleanly', async (t) => {
  const { code, out } = await run(['--output', 'json', examples])
  t.equal(code, 0)
  const report = JSON.parse(out) as { services: { name: string; status: string; ips: string[] }[]; announcements: Announced[] }
  const byName = new Map(report.services.map((s) => [s.name, s]))
  t.same(byName.get('legacy')?.ips, ['192.168.10.7'], 'a Service holding an IP keeps it')
  t.same(byName.get('dns-tcp')?.ips, byName.get('dns-udp')?.ips, 'sharing key: one IP for both')
  t.equal(byName.get('outside')?.status, 'pending')
  const announcer = (service: string): string[] => report.announcements.filter((a) => a.service === service).map((a) => a.node)
  t.equal(announcer('default/web').length, 1, 'the example nodes announce web')
  t.same(announcer('default/dns-tcp'), announcer('default/dns-udp'), 'one shared IP, one announcing node')
  t.equal(announcer('default/dual').length, 2, 'both IPs of the dual-stack Service')
  t.equal(new Set(announcer('default/dual')).size, 1, 'from one node')
  t.same(announcer('default/fixed'), [], 'no endpoints, no announcement')
})

interface Announced {
  service: string
  ip: string
  protocol: string
  node: string
  interfaces: string[]
}

const node = (name: string, labels = '{}'): string => `---
apiVersion: v1
kind: Node
metadata: {name: ${name}, labels: ${labels}}
`
const served = (service: string, ...nodes: string[]): string => `---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${service}-x, namespace: default, labels: {kubernetes.io/service-name: ${service}}}
addressType: IPv4
endpoints: [${nodes.map((n, i) => `{addresses: [10.244.0.${i + 1}], nodeName: ${n}}`).join(', ')}]
`
const L2 = `---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: l2, namespace: metallb-system}
spec: {interfaces: [eth1, eth0]}
`

t.test('announcements: who answers for each IP, and where', async (t) => {
  const dir = scratch(t, {
    'all.yaml': SEED_POOL_YAML + L2 + node('n1') + node('n2') + node('n3') + svc('web', '2026-01-01T00:00:00Z') + served('web', 'n1'),
  })
  const { code, out } = await run(['--output', 'json', dir])
  t.equal(code, 0)
  const report = JSON.parse(out) as { announcements: Announced[] }
  t.equal(report.announcements.length, 1)
  t.same(report.announcements[0] && { ...report.announcements[0], node: 'any' }, {
    service: 'default/web',
    ip: '192.168.10.0',
    protocol: 'layer2',
    node: 'any',
    interfaces: ['eth0', 'eth1'],
  })
  t.ok(['n1', 'n2', 'n3'].includes(report.announcements[0]?.node ?? ''), 'one of the Nodes')
})

t.test('--down: when the announcing node dies another one takes over, and nothing else moves', async (t) => {
  const services = ['a', 'b', 'c', 'd', 'e', 'f'].map((n, i) => svc(n, `2026-01-0${i + 1}T00:00:00Z`) + served(n, 'n1', 'n2', 'n3')).join('')
  const dir = scratch(t, { 'all.yaml': SEED_POOL_YAML + L2 + node('n1') + node('n2') + node('n3') + services })
  const before = JSON.parse((await run(['--output', 'json', dir])).out) as { announcements: Announced[] }
  t.equal(before.announcements.length, 6)
  const victim = before.announcements[0]?.node ?? ''
  const { code, out } = await run(['--output', 'json', '--down', victim, dir])
  t.equal(code, 0)
  const after = JSON.parse(out) as { announcements: Announced[] }
  t.equal(after.announcements.length, 6, 'every IP is still announced')
  for (const a of before.announcements) {
    const now = after.announcements.find((x) => x.service === a.service && x.ip === a.ip)
    if (a.node === victim) t.not(now?.node, victim, `${a.ip} moves off ${victim}`)
    else t.equal(now?.node, a.node, `${a.ip} stays on ${a.node}`)
  }
  const table = (await run(['--down', victim, dir])).out
  t.match(table, new RegExp(`NODES DOWN: ${victim}`), 'the table says which nodes are down')
  const all = JSON.parse((await run(['--output', 'json', '--down', 'n1,n2,n3', dir])).out) as { announcements: Announced[] }
  t.same(all.announcements, [], 'every node down: nobody announces')
  t.match((await run(['--down', 'n1,n2,n3', dir])).out, /NoEligibleNode/, 'and the table says why')
})

t.test('--down naming no Node of the input exits 2', async (t) => {
  const dir = scratch(t, { 'all.yaml': SEED_POOL_YAML + node('n1') })
  const { code, err } = await run(['--down', 'n1,nx', dir])
  t.equal(code, 2)
  t.match(err, /--down: no Node named "nx"/)
})
