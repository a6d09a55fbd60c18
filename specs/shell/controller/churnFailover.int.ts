// 1,000 Services created, changed and deleted in bursts (churn.ts) with two controller replicas whose
// leader is SIGKILLed again and again during the churn: every Service converges and no observed moment
// shows one IP on two Services. The single controller's run is churn.int.ts.
import t from 'tap'
import { get } from '../../support/kube.js'
import { checkFinal, CHURN_POOLS, runChurn } from './churn.js'
import { startFixture } from './fixture.js'

t.test('two replicas, the leader SIGKILLed repeatedly during the churn', async (t) => {
  const f = await startFixture('failover')
  t.teardown(f.stop)
  await CHURN_POOLS(f)
  // Short lease timings so that several takeovers fit in the churn.
  const lease = ['--lease-duration=6s', '--renew-deadline=4s', '--retry-period=1s']
  let next = 0
  const live = [await f.startController(`r${next++}`, lease), await f.startController(`r${next++}`, lease)]
  const ns = await f.mkNamespace()
  let kills = 0
  let stop = false
  const killer = (async () => {
    while (!stop && kills < 8) {
      await new Promise((r) => setTimeout(r, 8_000))
      if (stop) break
      const leaseObj = await get<{ spec?: { holderIdentity?: string } }>(f.rest, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'ironlb-controller', namespace: f.configNamespace },
      })
      const leader = live.find((c) => c.identity === leaseObj?.spec?.holderIdentity)
      if (leader === undefined) continue
      await leader.kill('SIGKILL')
      kills++
      live.splice(live.indexOf(leader), 1, await f.startController(`r${next++}`, lease))
    }
  })()
  const { observer, seconds } = await runChurn(f, ns, (s) => t.comment(s))
  stop = true
  await killer
  observer.stop()
  t.comment(`converged in ${seconds.toFixed(1)} s with ${kills} leader kills; ${observer.events()} watch events checked`)
  t.ok(kills >= 3, `the leader was killed during the churn (${kills} times)`)
  t.same(observer.violations(), [], 'no IP on two Services at any observed moment')
  t.same(await checkFinal(f, ns), [], 'requested IPs honoured, all IPs distinct')
})
