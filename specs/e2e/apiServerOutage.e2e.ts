// The API server is stopped for 60 s (root, a lab of its own). The speakers keep their last known
// objects: announcements stay (every request succeeds), a node that loses power in that time still
// fails over (the failure detector and the cached objects are enough) to the node the election names
// without it, a speaker restarted meanwhile (it cannot list anything) takes nothing over, and once
// the API server is back ownership returns to the elected node.
import t from 'tap'
import { moveAfter, serviceIPs, startProbe } from '../../shell/lab/demo.js'
import { apply, e2eSkipReason, electedFor, labFor, mkL2Ad, mkPool, mkService, statusOwner, waitUntil } from './fixture.js'
import { settledOwner } from './failoverTrials.js'

const skip = e2eSkipReason()
if (skip !== undefined) {
  t.plan(0, skip)
  process.exit(0)
}

const OUTAGE_MS = 60_000
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

t.test('API server stopped for 60 s', async (t) => {
  const lab = await labFor(t, 'apiserver')
  await apply(lab, [
    mkPool('lan', ['198.51.100.200-198.51.100.220', '2001:db8:100::200-2001:db8:100::220']),
    mkL2Ad('lan', { ipAddressPools: ['lan'] }),
    mkService('web', { families: ['IPv4', 'IPv6'] }),
  ])
  let ips: string[] = []
  await waitUntil('web has two IPs', 30_000, async () => (ips = await serviceIPs(lab, 'web')).length === 2)
  await waitUntil('web has one ServiceL2Status', 30_000, async () => (await statusOwner(lab, 'web')) !== undefined)
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

  await sleep(20_000)
  const quiet = probe.samples().filter((s) => s.t >= tStop && s.t < Date.now() - 300)
  t.ok(quiet.length > 1_000, `${quiet.length} requests in the first 20 s of the outage`)
  t.same(quiet.filter((s) => s.who !== owner).map((s) => `${s.ip} +${s.t - tStop} ms ${s.who ?? s.error ?? ''}`), [], `every one answered by ${owner}`)

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
  t.same(meanwhile.filter((s) => s.who !== successor).map((s) => `${s.ip} +${s.t - tHeal} ms ${s.who ?? s.error ?? ''}`), [], `until the API server is back, ${successor ?? '?'} answers every request`)

  const tStart = Date.now()
  await lab.apiServer('start')
  t.comment(`API server stopped for ${((tStart - tStop) / 1000).toFixed(1)} s; ready again ${Date.now() - tStart} ms after start`)
  const back = await settledOwner(lab, probe, 'default/web', ips, 90_000, owner)
  t.equal(back, owner, `ownership back on ${owner} ${Date.now() - tStart} ms after the API server started`)
  for (const ip of ips) {
    const m = moveAfter(probe.samples(), ip, successor, tStart)
    t.ok(m !== undefined && m.silentMs <= 2_000, `${ip}: the move back left the client without an answer for ${m?.silentMs ?? '?'} ms (<= 2000)`)
  }
})
