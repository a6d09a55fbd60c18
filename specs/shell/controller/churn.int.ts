// 1,000 Services created, changed and deleted in bursts: every Service converges and no observed
// moment shows one IP on two Services. The same with two replicas whose leader is SIGKILLed again and
// again during the churn is churnFailover.int.ts: a file of its own, so that make test runs the two
// (each about a minute of mostly waiting on the API server) side by side.
import t from 'tap'
import { checkFinal, CHURN_POOLS, runChurn } from './churn.js'
import { startFixture } from './fixture.js'

t.test('one controller', async (t) => {
  const f = await startFixture('churn')
  t.teardown(f.stop)
  await CHURN_POOLS(f)
  await f.startController('churn-0')
  const ns = await f.mkNamespace()
  const { observer, seconds } = await runChurn(f, ns, (s) => t.comment(s))
  observer.stop()
  t.comment(`converged in ${seconds.toFixed(1)} s; ${observer.events()} watch events checked`)
  t.ok(observer.events() > 2000, 'the observer saw the churn')
  t.same(observer.violations(), [], 'no IP on two Services at any observed moment')
  t.same(await checkFinal(f, ns), [], 'requested IPs honoured, all IPs distinct')
})
