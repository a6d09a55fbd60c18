// `ironlb-lab demo` (what `make demo` can run on a lab that is up): applies examples/l2-demo.yaml and
// shows, with the real tools, what IronLB does for it: the controller assigns an IP, every node binds it
// on kube-ipvs0 (the kernel stays silent about it), one speaker answers ARP for it, the client's requests
// land on that node; then that node loses power and the demo times how long until another node answers.
// Every wait is bounded; without speakers it stops after the part that needs none and says so.
import { join } from 'node:path'
import { repoRoot, type Lab } from './lab.js'
import { lanOf } from './topology.js'

export const DEMO_MANIFEST = join(repoRoot, 'shell', 'lab', 'examples', 'l2-demo.yaml')

interface Ingress {
  readonly v4: string | undefined
  readonly v6: string | undefined
}

const poll = async <T>(ms: number, every: number, probe: () => Promise<T | undefined>): Promise<T | undefined> => {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (v !== undefined || Date.now() >= deadline) return v
    await new Promise((r) => setTimeout(r, every))
  }
}

/** Runs the demo; resolves to an exit status (0: everything shown worked). */
export const runDemo = async (lab: Lab, say: (line: string) => void): Promise<number> => {
  const t0 = Date.now()
  const step = (line: string): void => say(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`)
  const applied = await lab.kubectl(['apply', '-f', DEMO_MANIFEST])
  if (applied.code !== 0) throw new Error(`kubectl apply ${DEMO_MANIFEST}: ${applied.stderr.trim()}`)
  step(`applied ${DEMO_MANIFEST}: pool lab-lan, L2Advertisement lab-lan, Service demo/web`)

  const ingress = await poll<Ingress>(30_000, 300, async () => {
    const svc = await lab.kubectlJson<{ status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }>(['get', 'service', '-n', 'demo', 'web'])
    const ips = (svc.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip === undefined ? [] : [i.ip]))
    return ips.length === 0 ? undefined : { v4: ips.find((ip) => !ip.includes(':')), v6: ips.find((ip) => ip.includes(':')) }
  })
  if (ingress === undefined) {
    step('the controller assigned no IP within 30 s: see `ironlb-lab logs controller`')
    return 1
  }
  step(`controller assigned ${[ingress.v4, ingress.v6].filter((x) => x !== undefined).join(' and ')}`)
  const vip = ingress.v4 ?? ingress.v6 ?? ''
  const onNode = async (node: string): Promise<true | undefined> =>
    (await lab.exec(node, ['ip', '-o', 'addr', 'show', 'dev', 'kube-ipvs0'])).stdout.includes(`${vip}/`) ? true : undefined
  const missing: string[] = []
  for (const n of lab.nodes) if ((await poll(20_000, 300, () => onNode(n))) === undefined) missing.push(n)
  step(
    missing.length === 0
      ? `kube-proxy's part: ${vip} is on kube-ipvs0 of every node (arp_ignore=1: the kernel does not answer for it)`
      : `${vip} never reached kube-ipvs0 on ${missing.join(', ')}: see \`ironlb-lab logs lab-agent-${missing[0] ?? ''}\``,
  )
  if (missing.length > 0) return 1

  const speakers = (await lab.status()).processes.filter((p) => p.name.startsWith('speaker-') && p.alive)
  if (speakers.length === 0) {
    const arp = await lab.exec('client', ['arping', '-c', '1', '-w', '2', '-I', 'eth0', vip], { timeoutMs: 5_000 })
    step(`no speaker is running, so nobody answers ARP for ${vip} (arping: ${arp.code === 0 ? 'answered?!' : 'no reply'}); the rest of the demo needs speakers`)
    return arp.code !== 0 ? 0 : 1
  }

  const owner = await poll(30_000, 500, async () => {
    const arp = await lab.exec('client', ['arping', '-c', '1', '-w', '1', '-I', 'eth0', vip], { timeoutMs: 5_000 })
    const mac = /from ([0-9a-f:]{17})/i.exec(arp.stdout)?.[1]?.toLowerCase()
    return mac === undefined ? undefined : lab.topology.hosts.find((h) => lanOf(h).mac === mac)?.name ?? `unknown MAC ${mac}`
  })
  if (owner === undefined) {
    step(`no ARP reply for ${vip} within 30 s: see \`ironlb-lab logs speaker-node1\``)
    return 1
  }
  const answer = async (ip: string): Promise<string | undefined> => {
    const r = await lab.exec('client', ['curl', '-s', '-g', '--max-time', '1', `http://${ip.includes(':') ? `[${ip}]` : ip}/`], { timeoutMs: 3_000 })
    return r.code === 0 ? r.stdout.trim() : undefined
  }
  step(`${owner} answers ARP for ${vip}; curl from client: ${(await answer(vip)) ?? 'no answer'}`)
  if (ingress.v6 !== undefined) step(`curl to [${ingress.v6}]: ${(await answer(ingress.v6)) ?? 'no answer'} (NDP)`)
  if (!lab.nodes.includes(owner)) return 1

  const failedAt = Date.now()
  await lab.fail(owner)
  step(`${owner} lost power (link cut, speaker SIGKILLed); waiting for another node to answer`)
  const next = await poll(60_000, 250, async () => {
    const who = await answer(vip)
    return who !== undefined && who !== owner ? who : undefined
  })
  const took = ((Date.now() - failedAt) / 1000).toFixed(1)
  step(next === undefined ? `no other node answered within 60 s` : `${next} answers for ${vip} ${took} s after ${owner} failed`)
  await lab.heal(owner)
  step(`${owner} healed (link up, speaker restarted)`)
  return next === undefined ? 1 : 0
}
