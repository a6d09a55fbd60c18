// Outages the speakers ride out, on one dual-stack Service in one lab (root; a lab costs 20-55 s to
// bring up, and every part needs the same one). First the failover parts (failover.ts: power losses
// and a rolling update; `make bench BENCH=soak` leaves them to the failover bench), then the outages
// below, each as long as runLength.ts says: short in `make test`, 60 s in `make bench BENCH=soak`.
//  - 5% packet loss on the LAN: no ownership change. The switch drops 2.5% of the frames entering and
//    2.5% of those leaving through every port (nftables in the lab's switch), so a frame from one host
//    to another is lost with probability 1 - 0.975^2 = 4.9%, ARP, NDP and the failure detector's
//    datagrams included. Over the loss every request the client gets an answer to is answered by the
//    node that announced before, ServiceL2Status keeps naming it, and no speaker logs taking over or
//    giving up an IP. Requests themselves may fail (a lost SYN is resent after 1 s, after the probe's
//    200 ms limit): they are counted, not judged.
//  - the API server stopped. The speakers keep their last known objects: announcements stay (no other
//    node answers, no gap), a node that loses power in that time still fails over (the failure
//    detector and the cached objects are enough) to the node the election names without it, a speaker
//    restarted meanwhile (it cannot list anything) takes nothing over, and once the API server is back
//    ownership returns to the elected node.
import t, { type Test } from 'tap'
import { moveAfter, startProbe, type Sample } from '../../shell/lab/demo.js'
import type { Lab } from '../../shell/lab/lab.js'
import { dualStackWeb, e2eSkipReason, electedFor, labFor, logLinesSince, logSize, speakerLog, statusOwner } from './fixture.js'
import { powerLosses, rollingUpdate } from './failover.js'
import { settledOwner } from './failoverTrials.js'
import { FULL_LENGTH, LOSS_MS, OUTAGE_MS, OUTAGE_QUIET_MS } from './runLength.js'

const skip = e2eSkipReason()
if (skip !== undefined) {
  t.plan(0, skip)
  process.exit(0)
}

/**
 * Steady service from `node`: no request answered by another node, and no gap. A lone request may go
 * unanswered within its 200 ms limit on two busy cores (a restarting process, a dropped frame); a
 * takeover or a node giving up shows as at least two in a row (requests go out every 20 ms).
 */
const expectSteady = (t: Test, samples: readonly Sample[], node: string | undefined, t0: number, when: string): void => {
  const shown = (xs: readonly Sample[]): string[] => xs.map((s) => `${s.ip} +${s.t - t0} ms ${s.who ?? s.error ?? ''}`)
  t.same(shown(samples.filter((s) => s.who !== undefined && s.who !== node)), [], `${when}: every answer came from ${node ?? '?'}`)
  const unanswered = samples.filter((s) => s.who === undefined)
  t.comment(`${when}: ${unanswered.length} of ${samples.length} requests unanswered (${shown(unanswered).join('; ') || 'none'})`)
  for (const ip of new Set(samples.map((s) => s.ip))) {
    let run: Sample[] = []
    let longest: Sample[] = []
    for (const s of samples.filter((x) => x.ip === ip).sort((a, b) => a.t - b.t)) {
      run = s.who === undefined ? [...run, s] : []
      if (run.length > longest.length) longest = run
    }
    // make test's terse reporter prints only a failing assertion's message: the run's requests go in it.
    const evidence = longest.length <= 1 ? '' : `: ${shown(longest).join('; ')}`
    t.ok(longest.length <= 1, `${when}: ${ip} never went two requests in a row without an answer (longest run ${longest.length}${evidence})`)
  }
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const PER_PORT_PCT = 2.5

const lossOnTheLan = async (t: Test, lab: Lab, ips: readonly string[]): Promise<void> => {
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
}

const apiServerStopped = async (t: Test, lab: Lab, ips: readonly string[]): Promise<void> => {
  const probe = await startProbe(lab, ips, { maxSeconds: 300 })
  t.teardown(() => probe.stop())
  const owner = await settledOwner(lab, probe, 'default/web', ips, 60_000)
  // Asked now: once the API server is down nothing can be listed.
  const successor = await electedFor(lab, ips[0] ?? '', lab.nodes.filter((n) => n !== owner))
  t.ok(successor !== undefined && successor !== owner, `with ${owner} gone, core/l2 elects ${successor ?? 'nobody'}`)

  const tStop = Date.now()
  await lab.apiServer('stop')
  t.not((await lab.kubectl(['get', 'nodes', '--request-timeout=2s'], { timeoutMs: 5_000 })).code, 0, 'the API server refuses connections')
  t.teardown(async () => {
    if ((await lab.kubectl(['get', '--raw=/readyz', '--request-timeout=2s'], { timeoutMs: 5_000 })).code !== 0) await lab.apiServer('start')
  })

  await sleep(OUTAGE_QUIET_MS)
  const first = `in the first ${OUTAGE_QUIET_MS / 1000} s of the outage`
  const quiet = probe.samples().filter((s) => s.t >= tStop && s.t < Date.now() - 300)
  // At least 50 a second (the probe sends 100: two IPs every 20 ms).
  t.ok(quiet.length > OUTAGE_QUIET_MS / 20, `${quiet.length} requests ${first}`)
  expectSteady(t, quiet, owner, tStop, first)

  const tFail = Date.now()
  await lab.fail(owner)
  const moved = await probe.until(15_000, (s) => ips.every((ip) => moveAfter(s, ip, owner, tFail) !== undefined))
  t.ok(moved, `another node answers within 15 s of ${owner} failing, with the API server down`)
  await sleep(1_000)
  for (const ip of ips) {
    const m = moveAfter(probe.samples(), ip, owner, tFail)
    t.equal(m?.to, successor, `${ip}: ${successor ?? '?'} took over`)
    t.ok((m?.silentMs ?? Infinity) <= 2_000, `${ip}: the client got no answer for ${m?.silentMs ?? '?'} ms (<= 2000)`)
  }

  // Healed while the API server is still down: its speaker starts but can list nothing.
  const tHeal = Date.now()
  t.equal(await lab.heal(owner), 'restarted', `${owner} healed, its speaker restarted`)
  const left = OUTAGE_MS - (Date.now() - tStop)
  t.ok(left > 5_000, `${Math.round(left / 1000)} s of the outage left after heal`)
  await sleep(Math.max(0, left))
  const meanwhile = probe.samples().filter((s) => s.t >= tHeal && s.t < Date.now() - 300)
  expectSteady(t, meanwhile, successor, tHeal, 'after heal, until the API server is back')

  const tStart = Date.now()
  await lab.apiServer('start')
  t.comment(`API server stopped for ${((tStart - tStop) / 1000).toFixed(1)} s; ready again ${Date.now() - tStart} ms after start`)
  const back = await settledOwner(lab, probe, 'default/web', ips, 90_000, owner)
  t.equal(back, owner, `ownership back on ${owner} ${Date.now() - tStart} ms after the API server started`)
  for (const ip of ips) {
    const m = moveAfter(probe.samples(), ip, successor, tStart)
    t.ok(m !== undefined && m.silentMs <= 2_000, `${ip}: the move back left the client without an answer for ${m?.silentMs ?? '?'} ms (<= 2000)`)
  }
}

t.test('failover and outages the speakers ride out', async (t) => {
  const lab = await labFor(t, 'outages')
  const ips = await dualStackWeb(lab)
  if (!FULL_LENGTH) {
    await powerLosses(t, lab, ips)
    await rollingUpdate(t, lab, ips)
  }
  await t.test(`5% loss on the LAN for ${LOSS_MS / 1000} s`, (t) => lossOnTheLan(t, lab, ips))
  await t.test(`API server stopped for ${OUTAGE_MS / 1000} s`, (t) => apiServerStopped(t, lab, ips))
})
