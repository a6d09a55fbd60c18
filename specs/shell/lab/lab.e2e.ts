// The live lab end to end (root, real namespaces, real etcd and kube-apiserver, the built CLI): up,
// status and down leave nothing behind; up twice is fine; a failure or an interrupt part way through up
// cleans up; the client reaches a node's backend; a Service IP bound on kube-ipvs0 gets no ARP or NDP
// answer from the kernel; and the faults (fail/heal, partition, loss, API server stop) are real.
// Needs `make build` and `make k8s-bins` first (`make lab-e2e` does both). Each lab uses a fixed folder
// under the temporary directory, removed first, so a crashed earlier run costs nothing.
import t, { type Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { labDown, labUp, repoRoot, type Lab } from '../../../shell/lab/lab.js'
import { findK8sBinDir } from '../../../shell/testbed/controlPlane.js'
import { labIdFor, NS_PREFIX } from '../../../shell/lab/topology.js'
import { missingTools, netnsUnavailable } from '../../support/netns.js'

const why = netnsUnavailable()
if (why !== undefined) {
  t.plan(0, why)
  process.exit(0)
}
const missing = missingTools(['curl', 'arping', 'ndisc6', 'nft', 'ping'])
if (missing !== undefined) throw new Error(missing)
for (const f of ['dist/shell/cli/ironlb.js', 'dist/shell/lab/agent.js', 'dist/shell/lab/cli.js'])
  if (!existsSync(join(repoRoot, f))) throw new Error(`${f} is missing: run make build`)

const cli = join(repoRoot, 'dist', 'shell', 'lab', 'cli.js')
const folder = (name: string): string => join(tmpdir(), `ironlb-lab-e2e-${name}`)

/** Namespaces of the lab in `dir` that exist. */
const namespacesOf = (dir: string): string[] =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${NS_PREFIX}${labIdFor(dir)}-`))

/** Live processes whose command line names `dir` (every lab process does: logs, configs, data). */
const processesOf = (dir: string): string[] => {
  const found: string[] = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      if (/^\S+ \(.*\) [ZX] /.test(stat)) continue
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
      if (cmd.includes(dir) && Number(pid) !== process.pid) found.push(`${pid}: ${cmd.slice(0, 120)}`)
    } catch {
      // Gone while we looked.
    }
  }
  return found
}

const assertGone = (t: Test, dir: string, what: string): void => {
  t.same(namespacesOf(dir), [], `${what}: no namespaces left`)
  t.same(processesOf(dir), [], `${what}: no processes left`)
  t.notOk(existsSync(dir), `${what}: ${dir} removed`)
}

const waitUntil = async (what: string, ms: number, probe: () => Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + ms
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

t.test('a failure part way through up removes everything up made', async (t) => {
  const dir = folder('fail')
  await labDown(dir)
  // A kube-apiserver that dies at once: namespaces, links and etcd exist by then.
  const bins = mkdtempSync(join(tmpdir(), 'ironlb-lab-e2e-bins-'))
  t.teardown(() => rmSync(bins, { recursive: true, force: true }))
  const real = findK8sBinDir(repoRoot)
  symlinkSync(join(real, 'etcd'), join(bins, 'etcd'))
  symlinkSync(join(real, 'kubectl'), join(bins, 'kubectl'))
  writeFileSync(join(bins, 'kube-apiserver'), '#!/bin/sh\necho "injected failure" >&2\nexit 3\n', { mode: 0o755 })
  const lines: string[] = []
  await t.rejects(labUp({ stateDir: dir, k8sBinDir: bins, progress: (l) => lines.push(l) }), /kube-apiserver.* exited[^]*injected failure/)
  t.ok(lines.some((l) => l.includes('network:')), 'it got as far as the network')
  t.ok(lines.some((l) => /removing what it made/.test(l)), 'and said it cleaned up')
  assertGone(t, dir, 'after a failed up')
})

t.test('an interrupted up removes everything up made', async (t) => {
  const dir = folder('abort')
  await labDown(dir)
  const abort = new AbortController()
  await t.rejects(
    labUp({ stateDir: dir, signal: abort.signal, progress: (l) => (l.includes('network:') ? abort.abort() : undefined) }),
    /interrupted/,
  )
  assertGone(t, dir, 'after an interrupted up')
})

t.test('speaker processes: flags, SIGTERM for a rolling update, SIGKILL for a power loss, restarts', async (t) => {
  const dir = folder('speakers')
  await labDown(dir)
  t.teardown(() => labDown(dir))
  // A stand-in for `ironlb speaker` that writes its flags and the signals it gets to a file per node.
  const scratch = mkdtempSync(join(tmpdir(), 'ironlb-lab-e2e-fake-'))
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }))
  const fake = join(scratch, 'ironlb.mjs')
  writeFileSync(
    fake,
    [
      "import { appendFileSync } from 'node:fs'",
      'const [cmd, ...args] = process.argv.slice(2)',
      "if (cmd !== 'speaker') { console.error(`unknown command ${cmd}`); process.exit(2) }",
      `const out = ${JSON.stringify(scratch)} + '/' + args[args.indexOf('--node-name') + 1]`,
      "appendFileSync(out, `start ${JSON.stringify(args)}\\n`)",
      "process.on('SIGTERM', () => { appendFileSync(out, 'TERM\\n'); process.exit(0) })",
      'setInterval(() => undefined, 1000)',
      '',
    ].join('\n'),
  )
  const record = (node: string): string[] => (existsSync(join(scratch, node)) ? readFileSync(join(scratch, node), 'utf8').trim().split('\n') : [])
  const lab = await labUp({ stateDir: dir, nodes: 2, controller: false, ironlbEntry: fake })
  const alive = async (node: string): Promise<boolean> => (await lab.status()).processes.find((p) => p.name === `speaker-${node}`)?.alive === true
  t.ok((await alive('node1')) && (await alive('node2')), 'both speakers running')

  const first = record('node1')[0] ?? ''
  const args = JSON.parse(first.slice('start '.length)) as string[]
  const flag = (name: string): string | undefined => args[args.indexOf(name) + 1]
  t.same(args.filter((a) => a.startsWith('--')), ['--node-name', '--namespace', '--kubeconfig', '--port', '--log-level', '--memberlist-bind', '--memberlist-port', '--memberlist-key-file'])
  t.same([flag('--node-name'), flag('--namespace'), flag('--port'), flag('--memberlist-bind'), flag('--memberlist-port')], ['node1', 'metallb-system', '7472', '198.51.100.11', '7946'])
  t.equal(flag('--kubeconfig'), lab.kubeconfig('speaker-node1'))
  const secret = await lab.kubectlJson<{ data: Record<string, string> }>(['get', 'secret', '-n', 'metallb-system', 'memberlist'])
  t.equal(readFileSync(flag('--memberlist-key-file') ?? '', 'utf8'), Buffer.from(secret.data['secretkey'] ?? '', 'base64').toString('utf8'), 'the key file holds the Secret\'s value')

  await lab.stopSpeaker('node1')
  t.same(record('node1').slice(1), ['TERM'], 'stop-speaker: SIGTERM, and it left on its own')
  t.notOk(await alive('node1'))
  await lab.startSpeaker('node1')
  t.ok(await alive('node1'), 'start-speaker: running again')
  await lab.fail('node1')
  t.notOk(await alive('node1'), 'fail: gone')
  t.same(record('node1').slice(1), ['TERM', `start ${JSON.stringify(args)}`], 'fail: SIGKILL, no goodbye')
  t.equal(await lab.heal('node1'), 'restarted')
  t.ok(await alive('node1'), 'heal: running again')
  await lab.stopSpeaker('node2')
  await lab.fail('node2')
  t.equal(await lab.heal('node2'), 'left stopped', 'a speaker stopped on purpose stays stopped after heal')
  await lab.down()
  assertGone(t, dir, 'after down')
})

t.test('the lab', async (t) => {
  const dir = folder('main')
  await labDown(dir)
  t.teardown(() => labDown(dir))

  const t0 = Date.now()
  const lines: string[] = []
  const lab: Lab = await labUp({ stateDir: dir, progress: (l) => lines.push(l) })
  const upMs = Date.now() - t0
  t.comment(`up took ${(upMs / 1000).toFixed(1)} s`)
  t.ok(lines.some((l) => l.includes('kube-apiserver ready at https://198.51.100.2:6443')), 'apiserver on infra\'s LAN address')

  await t.test('status: every host, every process, the API server', async (t) => {
    const st = await lab.status()
    t.same(st.hosts.map((h) => [h.name, h.v4, h.exists, h.linkUp]), [
      ['infra', '198.51.100.2', true, true],
      ['node1', '198.51.100.11', true, true],
      ['node2', '198.51.100.12', true, true],
      ['node3', '198.51.100.13', true, true],
      ['client', '198.51.100.100', true, true],
    ])
    for (const p of st.processes) {
      if (p.name.startsWith('speaker-')) t.ok(p.alive || p.wanted === 'unavailable', `${p.name}: running, or reported as not started (${p.note ?? ''})`)
      else t.ok(p.alive, `${p.name} alive (pid ${p.pid ?? '?'})`)
    }
    t.equal(st.apiServerUrl, 'https://198.51.100.2:6443')
    t.same(st.services, [])
    // The CLI on the same folder: exit 0, the API server and every host named.
    const text = execFileSync('node', [cli, '--state', dir, 'status'], { encoding: 'utf8', timeout: 30_000 })
    for (const want of ['https://198.51.100.2:6443', 'node3', 'client', 'kube-apiserver', 'controller']) t.match(text, want)
    const nodes = await lab.kubectlJson<{ items: { metadata: { name: string; labels: Record<string, string> }; status: { addresses: { type: string; address: string }[]; conditions: { type: string; status: string }[] } }[] }>(['get', 'nodes'])
    t.same(
      nodes.items.map((n) => [n.metadata.name, n.metadata.labels['kubernetes.io/hostname'], n.status.addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address), n.status.conditions.find((c) => c.type === 'Ready')?.status]),
      [
        ['node1', 'node1', ['198.51.100.11', '2001:db8:100::11'], 'True'],
        ['node2', 'node2', ['198.51.100.12', '2001:db8:100::12'], 'True'],
        ['node3', 'node3', ['198.51.100.13', '2001:db8:100::13'], 'True'],
      ],
    )
    const secret = await lab.kubectlJson<{ data: Record<string, string> }>(['get', 'secret', '-n', 'metallb-system', 'memberlist'])
    t.ok(Buffer.from(secret.data['secretkey'] ?? '', 'base64').length >= 128, 'memberlist secret has a long key')
  })

  await t.test('nodes reach the API server over the LAN with their own identities and RBAC', async (t) => {
    const kubectl = join(lab.k8sBinDir, 'kubectl')
    // A subresource goes in --subresource: `services/status` would ask about a Service named "status".
    const canI = async (node: string, identity: string, verb: string, resource: string, subresource?: string): Promise<string> =>
      (await lab.exec(node, [kubectl, `--kubeconfig=${lab.kubeconfig(identity)}`, 'auth', 'can-i', verb, resource, ...(subresource === undefined ? [] : [`--subresource=${subresource}`]), '-n', 'metallb-system'])).stdout.trim()
    t.equal(await canI('node1', 'speaker-node1', 'watch', 'services'), 'yes', 'a speaker watches Services')
    t.equal(await canI('node1', 'speaker-node1', 'list', 'ipaddresspools.metallb.io'), 'yes', 'and reads pools')
    t.equal(await canI('node3', 'speaker-node3', 'patch', 'services', 'status'), 'no', 'but never writes Service status')
    t.equal(await canI('infra', 'controller', 'patch', 'services', 'status'), 'yes', 'the controller does')
    const who = await lab.exec('node2', [kubectl, `--kubeconfig=${lab.kubeconfig('speaker-node2')}`, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])
    t.equal(who.stdout, 'system:serviceaccount:metallb-system:speaker')
  })

  await t.test('up again on a lab that is up changes nothing', async (t) => {
    const before = (await lab.status()).processes.map((p) => [p.name, p.pid])
    const t1 = Date.now()
    await labUp({ stateDir: dir })
    t.ok(Date.now() - t1 < 15_000, `second up took ${Date.now() - t1} ms`)
    t.same((await lab.status()).processes.map((p) => [p.name, p.pid]), before, 'the same processes')
  })

  await t.test('the client reaches each node\'s backend by node address, IPv4 and IPv6', async (t) => {
    const r = await lab.exec('client', ['curl', '-s', '--max-time', '3', 'http://198.51.100.11/'])
    t.equal(r.stdout, 'node1\n')
    const r6 = await lab.exec('client', ['curl', '-s', '-g', '--max-time', '3', 'http://[2001:db8:100::12]/'])
    t.equal(r6.stdout, 'node2\n')
  })

  await t.test('a Service IP on kube-ipvs0: accepted by the node, never answered by the kernel\'s ARP or NDP', async (t) => {
    const v4 = '198.51.100.250'
    const v6 = '2001:db8:100::250'
    // A class nobody serves: neither the controller nor the speakers touch it, so no one announces it.
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'quiet', namespace: 'default' },
      spec: { type: 'LoadBalancer', loadBalancerClass: 'lab.ironlb.dev/nobody', ipFamilyPolicy: 'PreferDualStack', ports: [{ name: 'http', port: 80 }] },
    }
    t.equal((await lab.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(svc) })).code, 0)
    const status = { status: { loadBalancer: { ingress: [{ ip: v4 }, { ip: v6 }] } } }
    t.equal((await lab.kubectl(['patch', 'service', 'quiet', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)])).code, 0)
    for (const node of lab.nodes)
      await waitUntil(`${v4} and ${v6} on ${node}'s kube-ipvs0`, 20_000, async () => {
        const out = (await lab.exec(node, ['ip', '-o', 'addr', 'show', 'dev', 'kube-ipvs0'])).stdout
        return out.includes(`${v4}/32`) && out.includes(`${v6}/128`)
      })
    t.pass('bound on every node')
    t.equal((await lab.exec('node1', ['curl', '-s', '--max-time', '3', `http://${v4}/`])).stdout, 'node1\n', 'the node accepts traffic for it')

    const arp = await lab.exec('client', ['arping', '-c', '2', '-w', '3', '-I', 'eth0', v4], { timeoutMs: 10_000 })
    t.not(arp.code, 0, 'arping the service IP: no reply')
    t.match(arp.stdout, /0 packets received|0 responses/, arp.stdout)
    const ns = await lab.exec('client', ['ndisc6', '-r', '2', '-w', '700', v6, 'eth0'], { timeoutMs: 10_000 })
    t.not(ns.code, 0, 'ndisc6 the service IP: no reply')
    // Controls: the same tools do get answers for a node's own address.
    t.equal((await lab.exec('client', ['arping', '-c', '1', '-w', '3', '-I', 'eth0', '198.51.100.11'], { timeoutMs: 10_000 })).code, 0, 'arping node1 answers')
    t.equal((await lab.exec('client', ['ndisc6', '-r', '2', '-w', '700', '2001:db8:100::11', 'eth0'], { timeoutMs: 10_000 })).code, 0, 'ndisc6 node1 answers')

    await waitUntil('EndpointSlices for quiet', 20_000, async () => (await lab.kubectl(['get', 'endpointslice', 'quiet-lab-ipv4', 'quiet-lab-ipv6'])).code === 0)
    const ready = async (): Promise<string> => {
      const s = await lab.kubectlJson<{ endpoints: { nodeName: string; conditions: { ready: boolean } }[] }>(['get', 'endpointslice', 'quiet-lab-ipv4'])
      return s.endpoints.map((e) => `${e.nodeName}=${e.conditions.ready}`).join(',')
    }
    t.equal(await ready(), 'node1=true,node2=true,node3=true', 'one ready endpoint per node')
    await lab.setEndpoint('quiet', 'node2', 'notready')
    await lab.setEndpoint('default/quiet', 'node3', 'absent')
    await waitUntil('slice follows the annotation', 20_000, async () => (await ready()) === 'node1=true,node2=false')
    t.pass('node2 not ready, node3 gone')

    t.equal((await lab.kubectl(['delete', 'service', 'quiet'])).code, 0)
    await waitUntil(`${v4} unbound from node1`, 20_000, async () => !(await lab.exec('node1', ['ip', '-o', 'addr', 'show', 'dev', 'kube-ipvs0'])).stdout.includes(v4))
    t.pass('a deleted Service\'s IP leaves kube-ipvs0')
  })

  const reaches = async (from: string, ip: string): Promise<boolean> => (await lab.exec(from, ['curl', '-s', '--max-time', '1', `http://${ip}/`])).code === 0

  await t.test('fail cuts the link and kills the speaker; heal restores both', async (t) => {
    await lab.fail('node2')
    t.notOk(await reaches('client', '198.51.100.12'), 'node2 unreachable')
    t.notOk(await reaches('node2', '198.51.100.11'), 'and node2 reaches no one')
    const st = await lab.status()
    t.equal(st.hosts.find((h) => h.name === 'node2')?.linkUp, false)
    const sp = st.processes.find((p) => p.name === 'speaker-node2')
    t.ok(sp !== undefined && !sp.alive, 'speaker-node2 not running')
    const verdict = await lab.heal('node2')
    t.ok(['restarted', 'unavailable'].includes(verdict), `heal: speaker ${verdict}`)
    await waitUntil('node2 reachable again', 10_000, () => reaches('client', '198.51.100.12'))
    t.pass('node2 reachable again')
  })

  await t.test('partition splits the LAN; unpartition joins it', async (t) => {
    await lab.partition(['node3'])
    t.notOk(await reaches('client', '198.51.100.13'), 'client cannot reach node3')
    t.notOk(await reaches('node3', '198.51.100.2'), 'node3 cannot reach the API server')
    t.ok(await reaches('node1', '198.51.100.12'), 'node1 still reaches node2')
    await lab.unpartition()
    await waitUntil('node3 reachable again', 10_000, () => reaches('client', '198.51.100.13'))
    t.pass('joined')
  })

  await t.test('loss drops frames both ways', async (t) => {
    await lab.setLoss('node1', 100)
    t.notOk(await reaches('client', '198.51.100.11'), 'all lost')
    await lab.setLoss('node1', 0)
    await waitUntil('node1 reachable again', 10_000, () => reaches('client', '198.51.100.11'))
    t.pass('no loss again')
  })

  await t.test('the API server stops and starts', async (t) => {
    await lab.apiServer('stop')
    t.not((await lab.kubectl(['get', 'nodes', '--request-timeout=3s'])).code, 0, 'kubectl fails while it is stopped')
    await lab.apiServer('start')
    t.equal((await lab.kubectl(['get', 'nodes'])).code, 0, 'kubectl works again')
  })

  await t.test('down removes every namespace, process and file', async (t) => {
    const t2 = Date.now()
    const out = execFileSync('node', [cli, '--state', dir, 'down'], { encoding: 'utf8', timeout: 60_000 })
    t.comment(`down took ${((Date.now() - t2) / 1000).toFixed(1)} s: ${out.trim()}`)
    assertGone(t, dir, 'after down')
  })
})
