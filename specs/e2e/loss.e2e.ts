// 5% packet loss on the LAN for 60 s (root, a lab of its own): no ownership change. The switch drops
// 2.5% of the frames entering and 2.5% of those leaving through every port (nftables in the lab's
// switch), so a frame from one host to another is lost with probability 1 - 0.975^2 = 4.9%, ARP, NDP
// and the failure detector's datagrams included. Over the 60 s every request the client gets an
// answer to is answered by the node that announced before, ServiceL2Status keeps naming it, and no
// speaker logs taking over or giving up an IP. Requests themselves may fail (a lost SYN is resent
// after 1 s, after the probe's 200 ms limit): they are counted, not judged.
import t from 'tap'
import { startProbe } from '../../shell/lab/demo.js'
import { dualStackWeb, e2eSkipReason, labFor, logLinesSince, logSize, speakerLog, statusOwner } from './fixture.js'
import { settledOwner } from './failoverTrials.js'

const skip = e2eSkipReason()
if (skip !== undefined) {
  t.plan(0, skip)
  process.exit(0)
}

const LOSS_MS = 60_000
const PER_PORT_PCT = 2.5

t.test('5% loss on the LAN for 60 s', async (t) => {
  const lab = await labFor(t, 'loss')
  const ips = await dualStackWeb(lab)
  const probe = await startProbe(lab, ips, { maxSeconds: 200 })
  t.teardown(() => probe.stop())
  const owner = await settledOwner(lab, probe, 'default/web', ips, 60_000)

  const logs = new Map(lab.nodes.map((n) => [n, logSize(speakerLog(lab, n))]))
  const tLoss = Date.now()
  for (const h of lab.topology.hosts) await lab.setLoss(h.name, PER_PORT_PCT)
  t.teardown(async () => {
    for (const h of lab.topology.hosts) await lab.setLoss(h.name, 0)
  })
  const owners = new Set<string>()
  const deadline = tLoss + LOSS_MS
  while (Date.now() < deadline) {
    const o = await statusOwner(lab, 'web').catch(() => 'unreadable')
    owners.add(o ?? 'not exactly one')
    await new Promise((r) => setTimeout(r, Math.min(5_000, Math.max(0, deadline - Date.now()))))
  }
  for (const h of lab.topology.hosts) await lab.setLoss(h.name, 0)
  const tEnd = Date.now()
  await new Promise((r) => setTimeout(r, 500))

  const samples = probe.samples().filter((s) => s.t >= tLoss && s.t <= tEnd)
  const answered = samples.filter((s) => s.who !== undefined)
  const failed = samples.length - answered.length
  t.comment(`${samples.length} requests during the loss: ${answered.length} answered, ${failed} failed (${((100 * failed) / Math.max(1, samples.length)).toFixed(1)}%)`)
  t.ok(answered.length > samples.length * 0.7, 'most requests were answered (the loss is real but partial)')
  t.ok(failed > 0, 'some requests failed (the loss is real)')
  t.same([...new Set(answered.map((s) => s.who))], [owner], `every answer came from ${owner}`)
  t.same([...owners].filter((o) => o !== 'unreadable'), [owner], `ServiceL2Status named ${owner} at every look (looks: ${[...owners].join(', ')})`)

  const moves: string[] = []
  const suspicions: string[] = []
  for (const n of lab.nodes)
    for (const l of logLinesSince(speakerLog(lab, n), logs.get(n) ?? 0)) {
      if (l['event'] === 'announcing' || l['event'] === 'stopped-announcing') moves.push(`${n}: ${l['event']} ${JSON.stringify(l['ips'])} at ${String(l['ts'])}`)
      if (l['event'] === 'member-changed') suspicions.push(`${n} saw ${String(l['member'])} ${String(l['status'])} (${String(l['reason'])})`)
    }
  t.comment(`failure detector during the loss: ${suspicions.length === 0 ? 'no member changed state' : suspicions.join('; ')}`)
  t.same(moves, [], 'no speaker took over or gave up an IP')
  t.equal(await settledOwner(lab, probe, 'default/web', ips, 30_000), owner, `${owner} still announces after the loss ends`)
})
