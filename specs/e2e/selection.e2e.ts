// Which node announces, as the objects say (root, one lab for all steps, after reachability.ts on the
// same lab: a lab costs 20-55 s to bring up). Each step changes one thing
// and waits (bounded) until the node answering ARP/NDP, the ServiceL2Status and core/l2's election
// from the API server's objects all name the expected node:
//  - externalTrafficPolicy Local: only nodes with a serving endpoint announce; the announcing node
//    follows the endpoint as it moves (lab.setEndpoint), a terminating endpoint still serves, no
//    serving endpoint means nobody answers;
//  - L2Advertisement nodeSelectors: only selected nodes announce, and the owner moves as labels do;
//  - L2Advertisement interfaces: eth0 listed, answered there (ServiceL2Status says eth0); only an
//    interface no node has listed, nobody answers;
//  - node.kubernetes.io/exclude-from-external-load-balancers moves the IP away and back;
//  - ServiceL2Status follows ownership: one object, on the announcing node, a new one (and a
//    nodeAssigned Event) on the node that takes over when the owner fails, one again after heal.
import t, { type Test } from 'tap'
import { curlFromClient, l2Statuses, serviceIPs } from '../../shell/lab/demo.js'
import type { Lab } from '../../shell/lab/lab.js'
import { answerers, apply, e2eSkipReason, electedFor, kubectlOk, labFor, mkL2Ad, mkPool, mkService, statusOwner, waitUntil } from './fixture.js'
import { reachability } from './reachability.js'

const skip = e2eSkipReason()
if (skip !== undefined) {
  t.plan(0, skip)
  process.exit(0)
}

const EXCLUDE = 'node.kubernetes.io/exclude-from-external-load-balancers'
const EDGE = 'lab.ironlb.dev/edge'

interface View {
  readonly arp: readonly string[]
  readonly status: string | undefined
  readonly elected: string | undefined
}

const viewOf = async (lab: Lab, svc: string, ip: string): Promise<View> => ({
  arp: [...new Set(await answerers(lab, ip, 3))],
  status: await statusOwner(lab, svc),
  elected: await electedFor(lab, ip),
})

const said = (v: View | undefined): string => (v === undefined ? 'nothing' : `ARP/NDP ${v.arp.join(',') || 'none'}, ServiceL2Status ${v.status ?? 'not exactly one'}, elected ${v.elected ?? 'nobody'}`)

/** Waits until `node` (or, undefined, nobody) answers for `ip`, the status and the election agree; asserts it. */
const expectOwner = async (t: Test, lab: Lab, svc: string, ip: string, node: string | undefined, why: string): Promise<void> => {
  let last: View | undefined
  const t0 = Date.now()
  const ok = await waitUntil(`${svc} ${ip} on ${node ?? 'nobody'}`, 30_000, async () => {
    last = await viewOf(lab, svc, ip)
    return node === undefined ? last.arp.length === 0 && last.status === undefined && last.elected === undefined : last.arp.length === 1 && last.arp[0] === node && last.status === node && last.elected === node
  }, 300).then(
    () => true,
    () => false,
  )
  t.ok(ok, `${why}: ${svc} ${ip} announced by ${node ?? 'nobody'} (${ok ? `${Date.now() - t0} ms` : `last seen: ${said(last)}`})`)
  if (ok && node !== undefined) t.equal(await curlFromClient(lab, ip), node, `curl from the client answered by ${node}`)
}

const label = (lab: Lab, node: string, key: string, value: string | undefined): Promise<string> =>
  kubectlOk(lab, ['label', 'node', node, '--overwrite', value === undefined ? `${key}-` : `${key}=${value}`])

const ipOf = async (lab: Lab, svc: string): Promise<string> => {
  let ip = ''
  await waitUntil(`${svc} has an IP`, 30_000, async () => (ip = (await serviceIPs(lab, svc))[0] ?? '') !== '')
  return ip
}

t.test('reachability, then who announces', async (t) => {
  const lab = await labFor(t, 'selection')
  await reachability(t, lab)
  await apply(lab, [
    mkPool('lan', ['198.51.100.200-198.51.100.209', '2001:db8:100::200-2001:db8:100::209']),
    mkL2Ad('lan', { ipAddressPools: ['lan'] }),
    mkPool('edge', ['198.51.100.210-198.51.100.214']),
    mkL2Ad('edge', { ipAddressPools: ['edge'], nodeSelectors: [{ matchLabels: { [EDGE]: 'true' } }] }),
    mkPool('eth0', ['198.51.100.215-198.51.100.219']),
    mkL2Ad('eth0', { ipAddressPools: ['eth0'], interfaces: ['eth0'] }),
    mkPool('eth9', ['198.51.100.220-198.51.100.224']),
    mkL2Ad('eth9', { ipAddressPools: ['eth9'], interfaces: ['eth9'] }),
  ])

  await t.test('externalTrafficPolicy Local follows the serving endpoints', async (t) => {
    const annotations = { 'lab.ironlb.dev/endpoints': 'node1=absent,node2=absent' }
    await apply(lab, [mkService('local4', { local: true, pool: 'lan', annotations }), mkService('local6', { local: true, pool: 'lan', families: ['IPv6'], annotations })])
    for (const svc of ['local4', 'local6']) {
      const ip = await ipOf(lab, svc)
      await expectOwner(t, lab, svc, ip, 'node3', 'endpoint on node3 only')
      await lab.setEndpoint(svc, 'node1', 'ready')
      await lab.setEndpoint(svc, 'node3', 'absent')
      await expectOwner(t, lab, svc, ip, 'node1', 'endpoint moved to node1')
      await lab.setEndpoint(svc, 'node2', 'terminating')
      await lab.setEndpoint(svc, 'node1', 'notready')
      await expectOwner(t, lab, svc, ip, 'node2', 'node1 not ready, node2 terminating (still serving)')
      await lab.setEndpoint(svc, 'node2', 'notready')
      await expectOwner(t, lab, svc, ip, undefined, 'no serving endpoint anywhere')
    }
  })

  await t.test('L2Advertisement nodeSelectors', async (t) => {
    await apply(lab, [mkService('edge', { pool: 'edge' })])
    const ip = await ipOf(lab, 'edge')
    await expectOwner(t, lab, 'edge', ip, undefined, 'no node selected yet')
    for (const n of lab.nodes) await label(lab, n, EDGE, 'true')
    let first: string | undefined
    await waitUntil('a selected node announces edge', 30_000, async () => (first = await statusOwner(lab, 'edge')) !== undefined)
    await expectOwner(t, lab, 'edge', ip, first, 'every node selected')
    await label(lab, first ?? '', EDGE, undefined)
    const second = await electedFor(lab, ip)
    t.ok(second !== undefined && second !== first, `without ${first ?? '?'}, the election names ${second ?? 'nobody'}`)
    await expectOwner(t, lab, 'edge', ip, second, `${first ?? '?'} no longer selected`)
    const only = lab.nodes.find((n) => n !== first && n !== second) ?? ''
    await label(lab, second ?? '', EDGE, undefined)
    await expectOwner(t, lab, 'edge', ip, only, `only ${only} selected`)
    await label(lab, only, EDGE, 'false')
    await expectOwner(t, lab, 'edge', ip, undefined, 'the label no longer matches on any node')
  })

  await t.test('L2Advertisement interfaces', async (t) => {
    await apply(lab, [mkService('on-eth0', { pool: 'eth0' }), mkService('on-eth9', { pool: 'eth9' })])
    const ip0 = await ipOf(lab, 'on-eth0')
    let owner: string | undefined
    await waitUntil('on-eth0 announced', 30_000, async () => (owner = await statusOwner(lab, 'on-eth0')) !== undefined)
    await expectOwner(t, lab, 'on-eth0', ip0, owner, 'interfaces [eth0]')
    t.same((await l2Statuses(lab, 'on-eth0')).map((s) => s.interfaces), [['eth0']], 'its ServiceL2Status lists eth0')
    const ip9 = await ipOf(lab, 'on-eth9')
    await new Promise((r) => setTimeout(r, 3_000))
    t.same(await answerers(lab, ip9, 5), [], `interfaces [eth9] (no node has one): no ARP reply for ${ip9}`)
    t.equal(await curlFromClient(lab, ip9), undefined, 'and no answer to curl')
    t.comment(`on-eth9's ServiceL2Status: ${JSON.stringify(await l2Statuses(lab, 'on-eth9'))}`)
  })

  await t.test('exclude-from-external-load-balancers, and ServiceL2Status following ownership', async (t) => {
    await apply(lab, [mkService('web', { pool: 'lan', families: ['IPv4', 'IPv6'] })])
    const ip = await ipOf(lab, 'web')
    let owner = ''
    await waitUntil('web announced', 30_000, async () => (owner = (await statusOwner(lab, 'web')) ?? '') !== '')
    await expectOwner(t, lab, 'web', ip, owner, 'no node excluded')
    await label(lab, owner, EXCLUDE, '')
    const instead = await electedFor(lab, ip)
    t.ok(instead !== undefined && instead !== owner, `${owner} excluded: the election names ${instead ?? 'nobody'}`)
    await expectOwner(t, lab, 'web', ip, instead, `${owner} labelled ${EXCLUDE}`)
    t.same((await l2Statuses(lab, 'web')).map((s) => s.node), [instead], `one ServiceL2Status, on ${instead ?? '?'}`)
    await label(lab, owner, EXCLUDE, undefined)
    await expectOwner(t, lab, 'web', ip, owner, 'label removed')
    t.same((await l2Statuses(lab, 'web')).map((s) => s.node), [owner], `one ServiceL2Status, on ${owner}`)

    // Power loss: the failed speaker cannot delete its own object; the new owner writes one.
    const tFail = new Date()
    await lab.fail(owner)
    const successor = await electedFor(lab, ip, lab.nodes.filter((n) => n !== owner))
    const fresh = async (): Promise<string[]> => (await l2Statuses(lab, 'web')).map((s) => s.node).filter((n) => n !== owner)
    const took = await waitUntil('a ServiceL2Status on the new owner', 20_000, async () => (await fresh()).length > 0).catch(() => -1)
    t.same(await fresh(), [successor], `after ${owner} failed: one ServiceL2Status among the live nodes, on ${successor ?? '?'} (${took} ms)`)
    t.comment(`all ServiceL2Status objects of web while ${owner} is down: ${JSON.stringify(await l2Statuses(lab, 'web'))}`)
    const events = await lab.kubectlJson<{ items: { reason?: string; message?: string; involvedObject?: { name?: string }; lastTimestamp?: string }[] }>(['get', 'events', '-n', 'default'])
    const assigned = events.items.filter((e) => e.reason === 'nodeAssigned' && e.involvedObject?.name === 'web' && new Date(e.lastTimestamp ?? 0) >= new Date(tFail.getTime() - 1_000))
    t.ok(assigned.some((e) => e.message?.includes(`"${successor ?? '?'}"`)), `a nodeAssigned Event names ${successor ?? '?'} (${assigned.map((e) => e.message).join('; ') || 'none'})`)
    await lab.heal(owner)
    await expectOwner(t, lab, 'web', ip, owner, `${owner} healed`)
    await waitUntil('one ServiceL2Status again', 20_000, async () => (await l2Statuses(lab, 'web')).length === 1).catch(() => undefined)
    t.same((await l2Statuses(lab, 'web')).map((s) => s.node), [owner], `after heal: one ServiceL2Status, on ${owner}`)
  })
})
