// Restart safety and config typos: a controller restarted while Services wait moves no IP that is
// held, and an invalid pool applied while Services hold IPs releases nothing.
import t from 'tap'
import { eventually, get, list, remove } from '../../support/kube.js'
import { ingressOf, startFixture } from './fixture.js'

const snapshotIPs = async (f: Awaited<ReturnType<typeof startFixture>>, ns: string): Promise<Map<string, string[]>> =>
  new Map((await list<{ metadata: { name: string } }>(f.rest, 'v1', 'Service', ns)).map((s) => [s.metadata.name, ingressOf(s as never)]))

t.test('a restart with pending Services moves no IP', async (t) => {
  const f = await startFixture('restart')
  t.teardown(f.stop)
  await f.applyPool('small', { addresses: ['198.51.100.0/27'] })
  const ns = await f.mkNamespace()
  const first = await f.startController('restart-0')
  for (let i = 0; i < 20; i++) await f.mkService(ns, `old-${i}`)
  await eventually('20 Services with IPs', 60_000, async () => ([...(await snapshotIPs(f, ns)).values()].every((ips) => ips.length === 1) ? true : undefined))
  await first.kill('SIGTERM')
  // While no controller runs: five old Services go away, twenty new ones wait.
  for (let i = 0; i < 5; i++) await remove(f.rest, { apiVersion: 'v1', kind: 'Service', metadata: { name: `old-${i}`, namespace: ns } })
  for (let i = 0; i < 20; i++) await f.mkService(ns, `new-${i}`)
  const before = await snapshotIPs(f, ns)
  await f.startController('restart-1')
  // 32 addresses: 15 old holders keep theirs, 17 of the 20 new ones fit.
  const after = await eventually('the new Services served', 60_000, async () => {
    const now = await snapshotIPs(f, ns)
    return [...now].filter(([n, ips]) => n.startsWith('new-') && ips.length === 1).length === 17 ? now : undefined
  })
  for (const [name, ips] of before) if (name.startsWith('old-')) t.same(after.get(name), ips, `${name} kept ${ips.join(',')}`)
  const all = [...after.values()].flat()
  t.equal(new Set(all).size, all.length, 'every IP on one Service')
})

t.test('an invalid pool applied while Services hold IPs releases nothing', async (t) => {
  const f = await startFixture('typo')
  t.teardown(f.stop)
  await f.applyPool('main', { addresses: ['203.0.113.0/28'] })
  const ns = await f.mkNamespace()
  await f.startController('typo-0')
  for (let i = 0; i < 5; i++) await f.mkService(ns, `svc-${i}`)
  const held = await eventually('5 Services with IPs', 60_000, async () => {
    const m = await snapshotIPs(f, ns)
    return [...m.values()].every((ips) => ips.length === 1) && m.size === 5 ? m : undefined
  })
  // Overlapping another pool passes the API server (it needs two objects to see) but not the controller.
  await f.applyPool('typo', { addresses: ['203.0.113.8/29'] })
  const stateOf = () =>
    get<{ status?: { result?: string; errorSummary?: string } }>(f.rest, {
      apiVersion: 'metallb.io/v1beta1',
      kind: 'ConfigurationState',
      metadata: { name: 'controller', namespace: f.configNamespace },
    })
  const invalid = await eventually('ConfigurationState Invalid', 30_000, async () => {
    const s = await stateOf()
    return s?.status?.result === 'Invalid' ? s : undefined
  })
  t.match(invalid.status?.errorSummary ?? '', /typo|main/, 'the summary names the pools')
  // The Event is recorded after the ConfigurationState write: wait for it rather than list once.
  const invalidEvent = await eventually('a Warning Event on the offending pool', 30_000, async () =>
    (await list<{ involvedObject: { kind: string; name: string }; reason: string; message: string }>(f.rest, 'v1', 'Event', f.configNamespace)).find(
      (e) => e.involvedObject.kind === 'IPAddressPool' && e.reason === 'InvalidConfiguration',
    ),
  )
  t.ok(invalidEvent, 'a Warning Event on the offending pool')
  // Meanwhile a new Service arrives and existing ones change: the last valid config keeps serving.
  await f.mkService(ns, 'latecomer')
  const late = await f.waitService(ns, 'latecomer', 'an IP from the last valid config', (s) => ingressOf(s).length === 1)
  t.ok(ingressOf(late)[0]?.startsWith('203.0.113.'), 'served from the last valid config')
  await new Promise((r) => setTimeout(r, 3_000))
  for (const [name, ips] of held) t.same(ingressOf(await f.getService(ns, name)), ips, `${name} kept its IP`)
  await remove(f.rest, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'typo', namespace: f.configNamespace } })
  const valid = await eventually('ConfigurationState Valid again', 30_000, async () => {
    const s = await stateOf()
    return s?.status?.result === 'Valid' ? s : undefined
  })
  t.equal(valid.status?.errorSummary, undefined, 'no error summary once fixed')
})
