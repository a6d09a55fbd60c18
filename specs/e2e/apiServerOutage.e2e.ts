// The API server is stopped for 60 s (root, a lab of its own). The speakers keep their last known
// objects: announcements stay (no other node answers, no gap), a node that loses power in that time still
// fails over (the failure detector and the cached objects are enough) to the node the election names
// without it, a speaker restarted meanwhile (it cannot list anything) takes nothing over, and once
// the API server is back ownership returns to the elected node.
import t, { type Test } from 'tap'
import { moveAfter, startProbe, type Sample } from '../../shell/lab/demo.js'
import { dualStackWeb, e2eSkipReason, electedFor, labFor } from './fixture.js'
import { settledOwner } from './failoverTrials.js'

const skip = e2eSkipReason()
if (skip !== undefined) {
  t.plan(0, skip)
  process.exit(0)
}

const OUTAGE_MS = 60_000

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
    let run = 0
    let longest = 0
    for (const s of samples.filter((x) => x.ip === ip).sort((a, b) => a.t - b.t)) {
      run = s.who === undefined ? run + 1 : 0
      longest = Math.max(longest, run)
    }
    t.ok(longest <= 1, `${when}: ${ip} never went two requests in a row without an answer (longest run ${longest})`)
  }
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

t.test('API server stopped for 60 s', async (t) => {
  const lab = await labFor(t, 'apiserver')
  const ips = await dualStackWeb(lab)
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
  expectSteady(t, quiet, owner, tStop, 'in the first 20 s of the outage')

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
})
