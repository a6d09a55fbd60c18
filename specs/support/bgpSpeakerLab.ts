// The small world the speaker's BGP netns specs share: FRR in namespace `rtr` and speaker processes
// (specs/shell/speaker/bgpSpeakerMain.ts: the real reconcile, applier and native sockets) in `spk`, on
// one veth, and the objects that give a speaker one peer, `tor`, and one Service holding SERVICE_IP.
import { fileURLToPath } from 'node:url'
import { type Router, startRouter } from '../../shell/testbed/router.js'
import { type Lab, labFor } from './netns.js'
import { type Agent, startAgent } from './netnsAgent.js'

export const ROUTER = { v4: '198.51.100.1', asn: 64500 } as const
export const SPEAKER = { v4: '198.51.100.11', asn: 64512 } as const
export const SERVICE_IP = '203.0.113.10'
const AGENT = fileURLToPath(new URL('../shell/speaker/bgpSpeakerMain.ts', import.meta.url))
/** Where the speaker's own objects live. */
export const SYSTEM_NS = 'metallb-system'

export const meta = (name: string, namespace = SYSTEM_NS) => ({ name, namespace })

export interface BfdTimers {
  readonly receiveMs: number
  readonly transmitMs: number
  readonly multiplier: number
}

type KubeObject = Readonly<Record<string, unknown>> & { readonly kind: string }

/** Pool, advertisement to every peer, Node n1 and BGPPeer `tor` toward ROUTER with `peer` merged into its spec; with `bfd`, BFDProfile `fast` used by the peer. */
export const peerConfig = (peer: Readonly<Record<string, unknown>>, bfd?: BfdTimers): KubeObject[] => [
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: meta('pool'), spec: { addresses: ['203.0.113.0/28'] } },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: meta('all'), spec: {} },
  ...(bfd === undefined
    ? []
    : [{ apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: meta('fast'), spec: { receiveInterval: bfd.receiveMs, transmitInterval: bfd.transmitMs, detectMultiplier: bfd.multiplier } }]),
  {
    apiVersion: 'metallb.io/v1beta2',
    kind: 'BGPPeer',
    metadata: meta('tor'),
    spec: { myASN: SPEAKER.asn, peerASN: ROUTER.asn, peerAddress: ROUTER.v4, ...(bfd === undefined ? {} : { bfdProfile: 'fast' }), ...peer },
  },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } }, status: { addresses: [{ type: 'InternalIP', address: SPEAKER.v4 }] } },
]

/** A LoadBalancer Service holding SERVICE_IP, with a ready endpoint on n1. */
export const webService: readonly KubeObject[] = [
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }], externalTrafficPolicy: 'Cluster' },
    status: { loadBalancer: { ingress: [{ ip: SERVICE_IP }] } },
  },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.1'], nodeName: 'n1', conditions: { ready: true } }],
  },
]

export interface RouterLab {
  readonly lab: Lab
  readonly rtr: string
  readonly spk: string
  readonly router: Router
  /** vtysh in the router's namespace, each command a `-c`. */
  readonly vtysh: (...cmds: string[]) => ReturnType<Lab['exec']>
  /** SERVICE_IP/32 via the speaker in FRR's RIB. */
  readonly hasRoute: () => Promise<boolean>
  /** The same in the router's kernel table, which bgpd feeds through zebra. */
  readonly forwards: () => Promise<boolean>
  /** FRR's BFD session with the speaker is up. */
  readonly bfdUp: () => Promise<boolean>
}

/** Both namespaces on one veth and FRR started with the speaker as its one neighbour; all torn down with `t`. */
export const routerFacingSpeaker = async (t: { teardown: (fn: () => unknown) => void }, neighbor: { readonly password?: string; readonly bfd?: BfdTimers }): Promise<RouterLab> => {
  const lab = labFor(t)
  const rtr = await lab.namespace('rtr')
  const spk = await lab.namespace('spk')
  await lab.veth({ ns: rtr, ifname: 'eth0' }, { ns: spk, ifname: 'eth0' })
  await lab.address(rtr, 'eth0', `${ROUTER.v4}/24`)
  await lab.address(spk, 'eth0', `${SPEAKER.v4}/24`)
  const router = await startRouter({ kind: 'frr', ns: rtr, asn: ROUTER.asn, routerId: ROUTER.v4, neighbors: [{ peer: { address: SPEAKER.v4 }, peerAs: SPEAKER.asn, ...neighbor }] })
  t.teardown(() => router.stop())
  const vtysh = (...cmds: string[]) => lab.exec(rtr, ['vtysh', '--vty_socket', router.dir, ...cmds.flatMap((c) => ['-c', c])], 10_000)
  return {
    lab,
    rtr,
    spk,
    router,
    vtysh,
    hasRoute: async () => (await router.rib()).some((r) => r.prefix === `${SERVICE_IP}/32` && r.nexthops.includes(SPEAKER.v4)),
    forwards: async () => (await router.fib(`${SERVICE_IP}/32`)).includes(SPEAKER.v4),
    bfdUp: async () => /"status":"up"/.test((await vtysh('show bfd peers json')).stdout),
  }
}

/**
 * A speaker process as node n1 in `spk`, loaded but given no objects yet (tap's TypeScript loader takes
 * seconds under load, so the wait is long but bounded), told to stop at teardown; with its pid.
 */
export const loadSpeaker = async (t: { teardown: (fn: () => unknown) => void }, rl: RouterLab, maxSeconds: number): Promise<{ readonly agent: Agent; readonly pid: number }> => {
  const agent = startAgent(rl.lab, rl.spk, ['--node', 'n1', '--max-seconds', String(maxSeconds)], AGENT)
  t.teardown(() => agent.command({ cmd: 'stop' }))
  const started = await agent.waitFor((e) => e.event === 'started', 'a speaker process loaded', 120_000)
  return { agent, pid: Number(started['pid']) }
}
