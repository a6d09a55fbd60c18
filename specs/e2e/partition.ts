// A partition, then the LAN whole again (root; keyRotation.e2e.ts runs it on its lab after the key
// rotation, as a lab costs 20-55 s to bring up). The announcing node is cut off alone;
// the client's side elects another node and answers (the cut-off node may go on answering on its own
// segment: both sides may answer). Once the LAN is whole, within 1 s exactly one node answers ARP for
// the IP: the client's capture of every ARP reply for it, with arping asking every 100 ms, shows one
// MAC from 1 s after healing on, and it is the MAC of the node core/l2 elects with every node alive.
import type { Test } from 'tap'
import { announcersByMetrics, curlFromClient, hostOfMac, moveAfter, serviceIPs, startProbe } from '../../shell/lab/demo.js'
import type { Lab } from '../../shell/lab/lab.js'
import { answerers, apply, electedFor, mkL2Ad, mkPool, mkService, statusOwner, waitUntil } from './fixture.js'
import { settledOwner } from './failoverTrials.js'

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** The announcing node cut off alone, then the LAN whole again: one node answers within 1 s. */
export const partitionThenHeal = async (t: Test, lab: Lab): Promise<void> => {
  await t.test('partition, then heal', async (t) => {
    await apply(lab, [mkPool('lan', ['198.51.100.200-198.51.100.220']), mkL2Ad('lan', { ipAddressPools: ['lan'] }), mkService('web')])
    let ip = ''
    await waitUntil('web has an IP', 30_000, async () => (ip = (await serviceIPs(lab, 'web'))[0] ?? '') !== '')
    await waitUntil('web has one ServiceL2Status', 30_000, async () => (await statusOwner(lab, 'web')) !== undefined)
    const probe = await startProbe(lab, [ip], { maxSeconds: 300 })
    t.teardown(() => probe.stop())
    const owner = await settledOwner(lab, probe, 'default/web', [ip], 60_000)
    const elected = await electedFor(lab, ip)
    t.equal(owner, elected, `${owner} announces ${ip}, as core/l2 elects`)
    // Read before the cut too: /metrics is authorized through the API server, which the cut-off node then
    // cannot reach; it answers from the grant it gave the lab's token here (metricsGate's stale window).
    t.same(await announcersByMetrics(lab, ip), [owner], `before the cut only ${owner}'s metrics announce ${ip}`)

    const tCut = Date.now()
    await lab.partition([owner])
    t.teardown(() => lab.unpartition())
    t.ok(await probe.until(10_000, (s) => moveAfter(s, ip, owner, tCut) !== undefined), `the client's side answers within 10 s of ${owner} being cut off`)
    const other = moveAfter(probe.samples(), ip, owner, tCut)
    t.comment(`partitioned: ${other?.to ?? '?'} answers after ${other?.silentMs ?? '?'} ms without an answer`)
    await sleep(3_000)
    t.same(await announcersByMetrics(lab, ip), [owner, other?.to ?? '?'].sort(), `both sides announce ${ip} during the partition (their metrics)`)

    // Every ARP reply for the IP the client sees, with a time; arping asks every 100 ms meanwhile.
    const capture = lab.exec('client', ['timeout', '9', 'tcpdump', '-l', '-n', '-e', '-tt', '-i', 'eth0', 'arp'], { timeoutMs: 15_000 })
    await sleep(1_500)
    const asking = lab.exec('client', ['arping', '-c', '60', '-W', '0.1', '-w', '8', '-I', 'eth0', ip], { timeoutMs: 15_000 })
    await sleep(1_000)
    const tHeal = Date.now()
    await lab.unpartition()
    const [dump] = await Promise.all([capture, asking])
    const replies = [...dump.stdout.matchAll(/^(\d+\.\d+) ([0-9a-f:]{17}) > .*Reply (\S+) is-at ([0-9a-f:]{17})/gm)]
      .filter((m) => m[3] === ip)
      .map((m) => ({ ms: Math.round(Number(m[1]) * 1000) - tHeal, host: hostOfMac(lab, m[4] ?? '') }))
    const shown = replies.map((r) => `${r.ms}:${r.host}`).join(' ')
    t.comment(`ARP replies for ${ip}, ms from heal: ${shown}`)
    const late = replies.filter((r) => r.ms >= 1_000)
    t.ok(late.length >= 20, `${late.length} replies from 1 s after healing on`)
    t.same([...new Set(late.map((r) => r.host))], [elected], `from 1 s after healing, only ${elected ?? '?'} answers ARP for ${ip} (${shown})`)
    const lastOther = replies.filter((r) => r.host !== elected).at(-1)
    t.comment(lastOther === undefined ? 'no other node answered after healing' : `the last reply from another node (${lastOther.host}) came ${lastOther.ms} ms after healing`)

    t.same([...new Set(await answerers(lab, ip))], [elected], `arping -c 5 afterwards: only ${elected ?? '?'}`)
    t.equal(await settledOwner(lab, probe, 'default/web', [ip], 30_000, elected), elected, `ServiceL2Status and the client agree on ${elected ?? '?'}`)
    t.equal(await curlFromClient(lab, ip), elected)
  })
}
