// The client reaches Service IPs through the node IronLB elects, and only that node answers for them
// (root; selection.e2e.ts runs it first on its lab, with pools apart from its own, as a lab costs
// 20-55 s to bring up). For an IPv4, an IPv6 and a dual-stack Service: the ServiceL2Status names
// the node core/l2 elects from the API server's objects, the speakers' metrics agree, curl from the
// client is answered by that node, the client's neighbour entry holds that node's eth0 MAC, and every
// ARP/NDP reply the client gets comes from that MAC. Control: an IP from a pool no L2Advertisement
// covers is bound on every node (kube-proxy's part) yet nobody answers for it, so the checks above
// see a missing announcement.
import type { Test } from 'tap'
import { announcersByMetrics, clientNeighbor, curlFromClient, eth0Mac, serviceIPs } from '../../shell/lab/demo.js'
import type { Lab } from '../../shell/lab/lab.js'
import { answerers, apply, electedFor, mkL2Ad, mkPool, mkService, statusOwner, waitUntil } from './fixture.js'

/** Pools, advertisement and Services of their own (selection.e2e.ts's lie below 198.51.100.225, 2001:db8:100::210). */
export const reachability = async (t: Test, lab: Lab): Promise<void> => {
  await t.test('reachability', async (t) => {
    await apply(lab, [
      mkPool('reach', ['198.51.100.226-198.51.100.236', '2001:db8:100::226-2001:db8:100::236']),
      mkL2Ad('reach', { ipAddressPools: ['reach'] }),
      mkPool('quiet', ['198.51.100.240-198.51.100.245']),
      mkService('web4', { families: ['IPv4'], pool: 'reach' }),
      mkService('web6', { families: ['IPv6'], pool: 'reach' }),
      mkService('web46', { families: ['IPv4', 'IPv6'], pool: 'reach' }),
      mkService('unannounced', { families: ['IPv4'], pool: 'quiet' }),
    ])

    for (const [svc, families] of [['web4', 1], ['web6', 1], ['web46', 2]] as const) {
      await t.test(`${svc}`, async (t) => {
        let ips: string[] = []
        await waitUntil(`${svc} has ${families} IPs`, 30_000, async () => (ips = await serviceIPs(lab, svc)).length === families)
        const waited = await waitUntil(`${svc}: one ServiceL2Status and an answer`, 30_000, async () => (await statusOwner(lab, svc)) !== undefined && (await curlFromClient(lab, ips[0] ?? '')) !== undefined)
        t.comment(`${svc} ${ips.join(' ')}: announced and answering ${waited} ms after its IPs were seen`)
        const owner = (await statusOwner(lab, svc)) ?? ''
        for (const ip of ips) {
          t.equal(await electedFor(lab, ip), owner, `${ip}: ServiceL2Status names the node core/l2 elects (${owner})`)
          t.same(await announcersByMetrics(lab, ip), [owner], `${ip}: only ${owner}'s metrics announce it`)
          const answers: (string | undefined)[] = []
          for (let i = 0; i < 5; i++) answers.push(await curlFromClient(lab, ip))
          t.same(answers, [owner, owner, owner, owner, owner], `${ip}: five curls from the client, all answered by ${owner}`)
          const mac = await eth0Mac(lab, owner)
          t.ok(mac !== undefined, `${owner}'s eth0 MAC is ${mac ?? '?'}`)
          t.equal(await clientNeighbor(lab, ip), mac, `${ip}: the client's neighbour entry holds ${owner}'s eth0 MAC`)
          const replies = await answerers(lab, ip)
          t.ok(replies.length >= (ip.includes(':') ? 1 : 5), `${ip}: ${replies.length} ${ip.includes(':') ? 'NDP' : 'ARP'} replies (${replies.join(', ')})`)
          t.same([...new Set(replies)], [owner], `${ip}: every reply comes from ${owner}`)
        }
      })
    }

    await t.test('an IP no advertisement covers: bound on the nodes, answered by nobody', async (t) => {
      let ips: string[] = []
      await waitUntil('unannounced has an IP', 30_000, async () => (ips = await serviceIPs(lab, 'unannounced')).length === 1)
      const ip = ips[0] ?? ''
      await waitUntil(`${ip} on node1's kube-ipvs0`, 20_000, async () => (await lab.exec('node1', ['ip', '-o', 'addr', 'show', 'dev', 'kube-ipvs0'])).stdout.includes(`${ip}/32`))
      t.same(await answerers(lab, ip, 3), [], `${ip}: no ARP reply`)
      t.equal(await curlFromClient(lab, ip), undefined, `${ip}: curl gets no answer`)
      t.same(await announcersByMetrics(lab, ip), [], `${ip}: no speaker's metrics announce it`)
      t.equal(await statusOwner(lab, 'unannounced'), undefined, 'no ServiceL2Status')
      t.equal(await electedFor(lab, ip), undefined, 'core/l2 elects nobody')
    })
  })
}
