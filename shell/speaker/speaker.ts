// The speaker loop on one node. Level-based like the controller: any change (API objects, the
// failure detector's live set, the node's interfaces) marks the state dirty; a pass asks the core
// what this node must announce (core/l2) and moves the ARP/NDP responders there. The API server is
// only a source of objects: while it is unreachable the caches keep the last known state and the
// speakers still fail over among themselves. A speaker that cannot open a packet socket on any
// usable interface (core/speaker/l2Readiness.ts) announces nothing, leaves the failure detector so
// the others take its IPs, reports not ready, and says why in its log, metrics and a Node Event.
import { assignedFromIngress } from '../../core/l2/assigned.js'
import { whatShouldNodeAnnounce } from '../../core/l2/plan.js'
import { buildConfig } from '../../core/config/buildConfig.js'
import { decodeClusterObjects } from '../../core/cluster/decodeCluster.js'
import type { Config } from '../../core/model/config.js'
import { asNodeName } from '../../core/model/names.js'
import { type IP, formatIP } from '../../core/net/address.js'
import { type LinkFacts, usableInterfaces } from '../../core/speaker/interfaceFilter.js'
import type { DesiredL2Status } from '../../core/speaker/l2StatusDiff.js'
import { memberUniverse } from '../../core/speaker/memberUniverse.js'
import { describeL2Readiness, judgeL2Readiness, type L2Readiness } from '../../core/speaker/l2Readiness.js'
import { STATUS_LABELS } from '../../core/config/statusCodecs.js'
import { configStatePublisher, speakerReporter } from '../kube/configState.js'
import { CONFIG_KINDS, configKindPath } from '../kube/configKinds.js'
import type { EventRecorder } from '../kube/events.js'
import { type KubeObject, type Reflector, startReflector } from '../kube/reflector.js'
import type { RestClient } from '../kube/rest.js'
import { listLinks } from '../l2/links.js'
import { type MembershipHandle, startMembership } from '../membership/membership.js'
import type { Logger } from '../obs/log.js'
import { type ResponderIo, startL2Responder } from './l2Responder.js'
import { publishL2Status } from './l2Status.js'
import type { SpeakerMetrics } from './metrics.js'

export interface SpeakerOptions {
  readonly rest: RestClient
  readonly log: Logger
  readonly metrics: SpeakerMetrics
  readonly events: EventRecorder
  readonly node: string
  readonly namespace: string
  readonly loadBalancerClass?: string
  readonly membershipKey: Uint8Array
  /** The mounted Secret's key file: reloaded when the Secret changes (shell/membership/keyFile.ts). */
  readonly membershipKeyFile?: string
  /** After a rotation the previous key still signs and verifies this long. */
  readonly membershipKeyGraceMs?: number
  readonly memberlistBind: string
  readonly memberlistPort: number
  readonly memberlistAdvertise?: string | undefined
  readonly linksPollMs?: number
  readonly batchMs?: number
  /** The node's interfaces and the responder's sockets; the kernel's by default (specs pass their own). */
  readonly listLinks?: () => Promise<readonly LinkFacts[]>
  readonly responderIo?: ResponderIo
  /** Where the failure detector runs: its own worker thread (default), or this one (specs run from source). */
  readonly membershipThread?: 'main' | 'worker'
}

export interface Speaker {
  readonly ready: () => boolean
  /** Graceful: tell the other speakers first, so they take the IPs over at once. */
  readonly stop: (graceful: boolean) => Promise<void>
}

/** How long a suspicion stays relevant for the failover histogram. */
const FAILOVER_WINDOW_MS = 30_000

export const startSpeaker = async (opts: SpeakerOptions): Promise<Speaker> => {
  const { log, metrics } = opts
  const node = asNodeName(opts.node)
  const responder = startL2Responder(metrics.counters, log, opts.responderIo)
  let dirty = true
  let running = false
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let lastValid: Config | undefined
  let membership: MembershipHandle | undefined
  let usable = usableInterfaces([])
  let linksSignature = ''
  let previousAlive = new Set<string>()
  let announcedIPs = new Set<string>()
  let statusBusy = false
  /** When each member was first suspected or declared gone, since it was last alive. */
  const goneSince = new Map<string, number>()

  let started = false
  const schedule = (): void => {
    dirty = true
    if (started && timer === undefined && !running && !stopped) timer = setTimeout(run, opts.batchMs ?? 10)
  }
  const reflect = <T extends KubeObject>(path: string, typeMeta: { apiVersion: string; kind: string }, labelSelector?: string): Reflector<T> =>
    startReflector<T>({ path, rest: opts.rest, log, onChange: schedule, typeMeta, ...(labelSelector === undefined ? {} : { labelSelector }) })

  const services = reflect('/api/v1/services', { apiVersion: 'v1', kind: 'Service' })
  const nodes = reflect('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node' })
  const slices = reflect('/apis/discovery.k8s.io/v1/endpointslices', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' })
  const configs = CONFIG_KINDS.map((k) =>
    reflect(configKindPath(opts.namespace, k), { apiVersion: `metallb.io/${k.version}`, kind: k.kind }),
  )
  const statuses = reflect(
    `/apis/metallb.io/v1beta1/namespaces/${opts.namespace}/servicel2statuses`,
    { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status' },
    `${STATUS_LABELS.node}=${opts.node}`,
  )
  const reflectors = [services, nodes, slices, statuses, ...configs]
  const synced = (): boolean => reflectors.every((r) => r.synced())
  const publishConfigState = configStatePublisher({ rest: opts.rest, log, events: opts.events, namespace: opts.namespace }, speakerReporter(opts.node))

  const pollLinks = async (): Promise<void> => {
    try {
      const links: readonly LinkFacts[] = opts.listLinks !== undefined ? await opts.listLinks() : (await listLinks()).map((l) => ({ name: l.name, ifindex: l.ifindex, mac: l.mac, up: l.up, noArp: l.noArp, loopback: l.loopback, master: l.master }))
      const next = usableInterfaces(links)
      const signature = JSON.stringify([...next.values()].map((l) => [l.name, l.ifindex, l.mac]))
      if (signature !== linksSignature) {
        linksSignature = signature
        usable = next
        log.info('interfaces-changed', { usable: [...next.keys()] })
        schedule()
        if (l2 !== undefined) checkL2(true)
      } else if (l2 !== undefined) checkL2(false)
    } catch (err) {
      log.warn('interfaces-unreadable', { error: err })
    }
  }
  let l2: L2Readiness | undefined
  /** Probes on start, when the interfaces change, and on every poll while unable (to notice a fix). */
  const checkL2 = (linksChanged: boolean): void => {
    if (l2 !== undefined && l2._tag === 'Able' && !linksChanged) return
    const next = judgeL2Readiness(responder.probe(usable))
    const text = describeL2Readiness(next)
    if (l2 !== undefined && text === describeL2Readiness(l2)) return
    l2 = next
    metrics.setL2Readiness(next)
    const node = { apiVersion: 'v1', kind: 'Node', namespace: 'default', name: opts.node }
    if (next._tag === 'Unable') {
      log.error('l2-unable', { reason: next.reason, message: next.message })
      void opts.events.record(node, 'Warning', 'Layer2Unavailable', `speaker stays out of the Layer 2 election: ${text}`)
    } else {
      log.info('l2-able', { interfaces: next.interfaces })
      void opts.events.record(node, 'Normal', 'Layer2Available', `speaker joins the Layer 2 election: ${text}`)
    }
    schedule()
  }
  await pollLinks()
  checkL2(true)
  const linksTimer = setInterval(() => void pollLinks(), opts.linksPollMs ?? 2_000)

  const universe = () => memberUniverse(nodes.list()).map((m) => ({ name: m.name, host: m.host }))
  let universeSignature = ''
  // A speaker joins only once every cache is filled: the others yield IPs to a member as soon as it
  // is alive, so joining before it can announce would leave those IPs unannounced meanwhile.
  const ensureMembership = async (): Promise<void> => {
    if (!synced()) return
    const members = universe()
    const signature = JSON.stringify(members)
    if (membership !== undefined) {
      if (signature !== universeSignature) membership.setMembers(members)
      universeSignature = signature
      return
    }
    universeSignature = signature
    membership = await startMembership({
      self: opts.node,
      bindAddress: opts.memberlistBind,
      port: opts.memberlistPort,
      ...(opts.memberlistAdvertise === undefined ? {} : { advertiseHost: opts.memberlistAdvertise }),
      key: opts.membershipKey,
      ...(opts.membershipKeyFile === undefined ? {} : { keyFile: opts.membershipKeyFile }),
      ...(opts.membershipKeyGraceMs === undefined ? {} : { keyGraceMs: opts.membershipKeyGraceMs }),
      members,
      onChange: () => schedule(),
      onEvent: (e) => {
        if (e.event === 'member') {
          if (e.status === 'Alive') goneSince.delete(e.node)
          else if (!goneSince.has(e.node)) goneSince.set(e.node, Date.now())
          log.info('member-changed', { member: e.node, status: e.status, reason: e.reason })
        } else if (e.event === 'fatal') log.error('membership-failed', { error: e.error })
        else if (e.event === 'key') {
          if (e.change === 'rotated' || e.change === 'previous-retired') log.info('membership-key', { change: e.change, detail: e.detail })
          else log.warn('membership-key', { change: e.change, detail: e.detail })
        }
      },
    })
    log.info('membership-started', { port: membership.port, members: members.length })
  }

  let statusPending = false
  const syncStatus = (desired: readonly DesiredL2Status[]): void => {
    if (statusBusy) {
      // Another pass runs when this publish ends (through a timer, never a tight loop).
      statusPending = true
      return
    }
    statusBusy = true
    publishL2Status({ rest: opts.rest, log, events: opts.events, namespace: opts.namespace, node: opts.node }, desired, statuses.list())
      .then((written) => {
        for (const w of written) statuses.observeWrite(w as KubeObject)
      })
      .catch((err: unknown) => log.warn('l2-status-failed', { error: err }))
      .finally(() => {
        statusBusy = false
        if (statusPending) {
          statusPending = false
          schedule()
        }
      })
  }

  /** Unable to answer: nothing announced, no status naming this node, out of the failure detector. */
  const withdraw = async (): Promise<void> => {
    if (membership !== undefined) {
      const leaving = membership
      membership = undefined
      universeSignature = ''
      await leaving.leave()
      log.info('membership-left', { reason: 'l2-unable' })
    }
    await responder.apply(new Map(), usable)
    if (announcedIPs.size > 0) log.info('stopped-announcing', { ips: [...announcedIPs], reason: 'l2-unable' })
    announcedIPs = new Set()
    previousAlive = new Set()
    metrics.setAnnounced([])
    if (synced()) syncStatus([])
  }

  const pass = async (): Promise<void> => {
    if (l2?._tag !== 'Able') return withdraw()
    await ensureMembership()
    if (membership === undefined || !synced()) return
    const result = buildConfig(configs.flatMap((r) => r.list()), { namespace: opts.namespace })
    if (result._tag === 'Valid') lastValid = result.config
    metrics.configLoaded.set(lastValid === undefined ? 0 : 1)
    metrics.configStale.set(result._tag === 'Invalid' ? 1 : 0)
    void publishConfigState(result._tag === 'Valid' ? [] : result.errors)
    if (lastValid === undefined) return
    const cluster = decodeClusterObjects([...services.list(), ...nodes.list(), ...slices.list()])
    const alive = membership.alive()
    metrics.members.set(alive.size)
    const entries = whatShouldNodeAnnounce(node, {
      config: lastValid,
      services: cluster.services,
      assigned: assignedFromIngress(cluster.services),
      nodes: cluster.nodes,
      endpointSlices: cluster.endpointSlices,
      live: new Set([...alive].map(asNodeName)),
      loadBalancerClass: opts.loadBalancerClass,
    })
    const desired = new Map<string, IP[]>()
    const perService = new Map<string, Set<string>>()
    const announcedList: { service: string; ip: string }[] = []
    const byText = new Map<string, IP>()
    for (const e of entries) {
      if (e.ip === undefined || e.decision._tag !== 'Announce') continue
      const choice = e.decision.interfaces
      const names = choice._tag === 'AllInterfaces' ? [...usable.keys()] : choice.names.filter((n) => usable.has(n))
      for (const name of names) desired.set(name, [...(desired.get(name) ?? []), e.ip])
      const ifs = perService.get(e.service) ?? new Set<string>()
      for (const name of names) ifs.add(name)
      perService.set(e.service, ifs)
      announcedList.push({ service: e.service, ip: formatIP(e.ip) })
      byText.set(formatIP(e.ip), e.ip)
    }
    const now = Date.now()
    const nowAnnounced = new Set(announcedList.map((a) => a.ip))
    const taken = [...nowAnnounced].filter((ip) => !announcedIPs.has(ip))
    await responder.apply(desired, usable)
    if (taken.length > 0) {
      const recent = [...goneSince.values()].filter((t) => now - t < FAILOVER_WINDOW_MS)
      // One observation per takeover pass, measured from the latest suspicion of a member.
      if (recent.length > 0) metrics.failover.observe((Date.now() - Math.max(...recent)) / 1000)
      log.info('announcing', { ips: taken })
    }
    const released = [...announcedIPs].filter((ip) => !nowAnnounced.has(ip))
    if (released.length > 0) log.info('stopped-announcing', { ips: released })
    // A member came back (a healed partition): it may have announced our IPs meanwhile; shout again.
    const returned = [...alive].filter((m) => !previousAlive.has(m) && m !== opts.node)
    if (returned.length > 0 && previousAlive.size > 0) {
      responder.reassert([...byText.values()])
      log.info('members-returned', { members: returned })
    }
    previousAlive = new Set(alive)
    announcedIPs = nowAnnounced
    metrics.setAnnounced(announcedList)
    const desiredStatus: DesiredL2Status[] = [...perService].map(([key, ifs]) => {
      const [serviceNamespace = '', serviceName = ''] = key.split('/')
      return { serviceNamespace, serviceName, interfaces: [...ifs].sort() }
    })
    syncStatus(desiredStatus)
  }

  async function run(): Promise<void> {
    timer = undefined
    if (running || stopped) return
    running = true
    try {
      while (dirty && !stopped) {
        dirty = false
        try {
          await pass()
        } catch (err) {
          log.error('speaker-pass-failed', { error: err })
          await new Promise((r) => setTimeout(r, 500))
          dirty = true
        }
      }
    } finally {
      running = false
      if (dirty && !stopped) schedule()
    }
  }
  started = true
  schedule()
  const resync = setInterval(schedule, 60_000)

  return {
    ready: () => synced() && membership !== undefined && l2?._tag === 'Able',
    stop: async (graceful) => {
      stopped = true
      responder.silence()
      clearInterval(linksTimer)
      clearInterval(resync)
      if (timer !== undefined) clearTimeout(timer)
      if (membership !== undefined) await (graceful ? membership.leave() : membership.stop())
      await responder.close()
      for (const r of reflectors) r.stop()
      if (graceful) {
        // The new owners write their own records; ours go, best effort and bounded.
        await publishL2Status({ rest: opts.rest, log, events: opts.events, namespace: opts.namespace, node: opts.node }, [], statuses.list()).catch(() => undefined)
      }
    },
  }
}
