// The Lease elector against the real API server: one replica leads, a second follows and takes over
// once the first stops; and a leader whose event loop was blocked past its renew deadline reports
// the lapse (isLeader false) and, when a later renewal restores it, starts leading again, so the
// controller redoes the writes it skipped (a starved leader once skipped them silently, which made a
// controller already stalled by another bug look stuck for good).
import t from 'tap'
import type { ElectionTiming } from '../../../core/election/lease.js'
import { startLeaseElector, type LeaseElector } from '../../../shell/kube/leaseElector.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { create, eventually, randomSuffix, testRest } from '../../support/kube.js'

const timing: ElectionTiming = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 250 }

const elector = async (namespace: string, identity: string, starts: string[]): Promise<LeaseElector> =>
  startLeaseElector({
    rest: await testRest(),
    namespace,
    name: 'lease-under-test',
    identity,
    timing,
    log: silentLogger,
    onStartedLeading: () => starts.push(identity),
    onStoppedLeading: () => undefined,
  })

/** A Namespace of the test's own, so runs and files never share a Lease. */
const freshNamespace = async (): Promise<string> => {
  const ns = `lease-${randomSuffix()}`
  await create(await testRest(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })
  return ns
}

const blockEventLoop = (ms: number): void => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    // Spin: a stand-in for a long synchronous pass on a starved CPU.
  }
}

t.test('one leader; the follower takes over after a release', async (t) => {
  const ns = await freshNamespace()
  const starts: string[] = []
  const a = await elector(ns, 'a', starts)
  await eventually('a leads', 10_000, async () => (a.isLeader() ? true : undefined))
  const b = await elector(ns, 'b', starts)
  t.teardown(async () => {
    await a.stop()
    await b.stop()
  })
  await new Promise((r) => setTimeout(r, 1_500))
  t.ok(a.isLeader() && !b.isLeader(), 'a leads, b follows')
  await a.stop()
  t.notOk(a.isLeader(), 'a no longer leads once stopped')
  await eventually('b leads', 10_000, async () => (b.isLeader() ? true : undefined))
  t.same(starts, ['a', 'b'], 'each started leading once')
})

t.test('a lapse past the renew deadline is reported, and leading starts again after renewal', async (t) => {
  const ns = await freshNamespace()
  const starts: string[] = []
  const a = await elector(ns, 'a', starts)
  t.teardown(() => a.stop())
  await eventually('a leads', 10_000, async () => (a.isLeader() ? true : undefined))
  blockEventLoop(timing.renewDeadlineMs + 200)
  t.notOk(a.isLeader(), 'blocked past the renew deadline: not leading')
  await eventually('a leads again', 10_000, async () => (a.isLeader() ? true : undefined))
  t.same(starts, ['a', 'a'], 'onStartedLeading ran again, so skipped work is redone')
})
