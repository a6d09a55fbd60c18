// The speaker's BGP applier: keeps one PeerSession (shell/bgp/peerSession.ts) per session the plan
// wants (core/speaker/bgpPass.ts), starting, stopping and restarting them as the plan's diff says,
// hands each its routes every pass (only the difference goes out), runs BFD for peers with a
// profile (a BFD Down drops the BGP session at once: stopped and started again, so it re-dials),
// and tells session Up and Down in a log line and a Node Event. On stop, peers with graceful
// restart get their TCP connection closed without a NOTIFICATION: a router in helper mode keeps our
// routes (stale) only when the session ends without one (RFC 4724; RFC 8538's N bit, which would
// let a Cease keep them too, is not offered), and the next process's start says it restarted (the
// R bit). bgp.netns.spec.ts shows FRR keeping the route across such a restart and losing it on a Cease.
// An unnumbered peer (`interface`) first has its router looked for (shell/bgp/unnumbered.ts); its
// session starts on the link-local address found ("fe80::1%eth0"), with ours as IPv6 next hop; from
// then on it is that address like any other: the IPv6 listener hands it the router's connections
// (collisions as for numbered peers), keyed with the peer's password if it has one, and BFD runs to
// it, single hop (unnumbered.netns.spec).
import type { Socket } from 'node:net'
import type { Bfd, BfdPeer } from '../bfd/bfd.js'
import { type BgpObserver, bgpPeerLabel } from '../bgp/metrics.js'
import { type PeerSession, startPeerSession } from '../bgp/peerSession.js'
import type { Dialer, Listen } from '../bgp/socketOptions.js'
import { watchUnnumberedPeer } from '../bgp/unnumbered.js'
import type { Route } from '../../core/bgp/route.js'
import type { EventRecorder } from '../kube/events.js'
import type { Logger } from '../obs/log.js'
import type { BgpPassPlan } from '../../core/speaker/bgpPass.js'
import type { SessionSpec } from '../../core/speaker/sessionPlan.js'
import type { SessionReport } from '../../core/speaker/sessionConditions.js'
import { type BgpListeners, bgpListeners, md5PasswordOf } from './bgpListeners.js'

interface BgpApplierDeps {
  readonly log: Logger
  readonly events: EventRecorder
  readonly node: string
  readonly dialer: Dialer
  readonly listen: Listen
  /** 179 unless a spec says otherwise. */
  readonly port?: number
  readonly listenHosts?: { readonly v4: string; readonly v6: string }
  readonly bfd?: Bfd
  /** MetalLB's metallb_bgp_* series (shell/bgp/metrics.ts), labelled peer "address:port" and vrf. */
  readonly observe?: BgpObserver
  /** A session came up or went down, or its BFD changed: the reports (below) changed. */
  readonly onChange?: () => void
}

export interface BgpApplier {
  readonly apply: (plan: BgpPassPlan) => Promise<void>
  /** Cease to every peer, but a bare close to those with graceful restart. */
  readonly stop: () => Promise<void>
  /** The running sessions' states by peer name, for readiness, status and specs. */
  readonly states: () => ReadonlyMap<string, string>
  /** Each running session as the speaker's ConfigurationState shows it (core/speaker/sessionConditions.ts). */
  readonly reports: () => readonly SessionReport[]
}

interface Running {
  /** Changed in place by a BFD retime: a pending unnumbered search holds this object. */
  spec: SessionSpec
  /** Undefined while an unnumbered peer's router is still looked for. */
  session: PeerSession | undefined
  /** The address dialled and accepted from (an unnumbered peer's is scoped: "fe80::1%eth0"); undefined while looked for. */
  remote: string | undefined
  /** Every socket of this session, dialled or accepted: a graceful stop closes them bare. */
  readonly sockets: Set<Socket>
  /** The routes of the last pass, handed to a session that starts later (unnumbered). */
  routes: readonly Route[]
  /** The unnumbered peer's search and Router Advertisements, stopped with the session. */
  watch: { readonly stop: () => void } | undefined
  /** Why the session last left Established. */
  lastDown?: string
}

/** The BFD session of `s` to `remote` (an unnumbered peer's link-local address once found). */
const bfdPeerOf = (s: SessionSpec, remote: string): BfdPeer => ({
  address: remote,
  multiHop: s.bfd?.multiHop ?? false,
  ...(s.socket.localAddress === undefined ? {} : { localAddress: s.socket.localAddress }),
  ...(s.socket.device === undefined || s.socket.device === '' ? {} : { device: s.socket.device }),
})

const startBfdOf = (a: Applier, spec: SessionSpec, remote: string): void => {
  if (spec.bfd !== undefined) void a.deps.bfd?.start(bfdPeerOf(spec, remote), spec.bfd.profile).catch((err) => a.deps.log.warn('bfd-start-failed', { peer: spec.peer, error: err }))
}

const socketOptionsOf = (s: SessionSpec) => ({
  ...(s.socket.localAddress === undefined ? {} : { localAddress: s.socket.localAddress }),
  ...(s.socket.ttl === undefined ? {} : { ttl: s.socket.ttl }),
  ...(s.socket.md5 === undefined ? {} : { md5Password: md5PasswordOf(s.socket.md5) }),
  ...(s.socket.device === undefined ? {} : { device: s.socket.device }),
})

const track = (sockets: Set<Socket>, s: Socket): Socket => {
  sockets.add(s)
  s.once('close', () => sockets.delete(s))
  return s
}

interface Applier {
  readonly deps: BgpApplierDeps
  readonly running: Map<string, Running>
  /** Assigned once at start: its sessionFor needs this applier. */
  listeners: BgpListeners | undefined
  /** Peers started since this process began: a later start is not a restart (RFC 4724 R bit). */
  readonly startedOnce: Set<string>
}

const byRemote = (a: Applier, remote: string): Running | undefined => [...a.running.values()].find((r) => r.remote !== undefined && r.remote === remote)

const tell = (a: Applier, peer: string, up: boolean, detail: string): void => {
  const r = a.running.get(peer)
  if (r !== undefined && !up) r.lastDown = detail
  a.deps.onChange?.()
  const node = { apiVersion: 'v1', kind: 'Node', namespace: 'default', name: a.deps.node }
  void a.deps.events.record(node, up ? 'Normal' : 'Warning', up ? 'BGPSessionUp' : 'BGPSessionDown', `BGP session to peer "${peer}" ${up ? 'established' : `down: ${detail}`}`)
}

/** Starts the PeerSession of `spec` on `r`, dialling `remote` with `otherNextHops`. */
const startSession = (a: Applier, r: Running, remote: string, otherNextHops: SessionSpec['otherNextHops']): void => {
  const { deps } = a
  const { spec } = r
  const restarted = spec.config.gracefulRestart !== undefined && !a.startedOnce.has(spec.peer)
  a.startedOnce.add(spec.peer)
  r.remote = remote
  const session = startPeerSession({
    config: spec.config,
    remote,
    port: spec.port,
    socket: socketOptionsOf(spec),
    otherNextHops,
    restarted,
    dialer: (target, o) => track(r.sockets, deps.dialer(target, o)),
    log: deps.log.child({ peer: spec.peer }),
    onUp: () => tell(a, spec.peer, true, ''),
    onDown: (reason) => tell(a, spec.peer, false, reason),
    ...(deps.observe === undefined ? {} : { observe: deps.observe, peerLabel: bgpPeerLabel(spec.remote, spec.port, spec.socket.device) }),
  })
  r.session = session
  session.start()
  session.advertise(r.routes)
  deps.log.info('bgp-session-started', { peer: spec.peer, remote, port: spec.port, restarted, bfd: spec.bfd?.profile.name })
}

/** Unnumbered: the session starts once the router on the interface is found, with our link-local next hop. */
const discover = (a: Applier, spec: SessionSpec, ifname: string): void => {
  const r: Running = { spec, session: undefined, remote: undefined, sockets: new Set(), routes: [], watch: undefined }
  a.running.set(spec.peer, r)
  // The watch may call back before it returns (a router already known): r is in place by then.
  r.watch = watchUnnumberedPeer(
    ifname,
    (host, nextHopV6) => {
      if (a.running.get(spec.peer) !== r) return
      startSession(a, r, host, nextHopV6 === undefined ? spec.otherNextHops : { ...spec.otherNextHops, v6: nextHopV6 })
      startBfdOf(a, r.spec, host)
      // The router's address is known only now: its MD5 key goes on the IPv6 listener.
      if (spec.socket.md5 !== undefined) void ensureListeners(a)
    },
    (why) => a.deps.log.debug('bgp-unnumbered-waiting', { peer: spec.peer, why }),
  )
}

const open = (a: Applier, spec: SessionSpec): void => {
  if (spec.discoverOn !== undefined) return discover(a, spec, spec.discoverOn)
  const r: Running = { spec, session: undefined, remote: undefined, sockets: new Set(), routes: [], watch: undefined }
  a.running.set(spec.peer, r)
  startSession(a, r, spec.remote, spec.otherNextHops)
  startBfdOf(a, spec, spec.remote)
}

/** Resolves when a graceful restart's BFD session has timed out at the peer (at once otherwise). */
const close = (a: Applier, peer: string, graceful: boolean): Promise<void> => {
  const r = a.running.get(peer)
  if (r === undefined) return Promise.resolve()
  a.running.delete(peer)
  r.watch?.stop()
  const bare = graceful && r.spec.config.gracefulRestart !== undefined
  // FRR without `bfd check-control-plane-failure` stops a peer whose BFD goes Down, flushing the routes
  // it keeps for a restart, if bgpd hears that Down before the TCP close, or after the next process's
  // session is up. A restart's BFD ends silent after the close, and the stop waits out the router's
  // detection time: the Down lands in between (grDefault.netns.spec).
  const bfdGone = r.spec.bfd === undefined || r.remote === undefined ? undefined : a.deps.bfd?.stop(bfdPeerOf(r.spec, r.remote), bare ? 'silent' : 'adminDown')
  // Destroyed first, the Cease that stop() writes goes nowhere.
  if (bare) for (const s of r.sockets) s.destroy()
  r.session?.stop()
  a.deps.log.info('bgp-session-stopped', { peer, graceful: bare })
  return bfdGone ?? Promise.resolve()
}

/** BFD saw the peer go: drop the BGP session now rather than at hold time, and dial again. */
const onBfdDown = (a: Applier, address: string, diag: number): void => {
  const r = byRemote(a, address)
  if (r?.session === undefined || r.spec.bfd === undefined) return
  a.deps.log.warn('bfd-down-drops-bgp', { peer: r.spec.peer, remote: address, diag })
  r.session.stop()
  r.session.start()
}

/** Another BFD profile (or none now) under the same BGP session: BFD alone changes. */
const retimeBfd = (a: Applier, spec: SessionSpec): void => {
  const r = a.running.get(spec.peer)
  if (r === undefined) return
  const was = r.spec
  r.spec = spec
  // An unnumbered peer still looked for gets its BFD with the new profile once found.
  if (r.remote === undefined) return
  if (spec.bfd === undefined) void a.deps.bfd?.stop(bfdPeerOf(was, r.remote))
  else startBfdOf(a, spec, r.remote)
}

const reportOf = (a: Applier, peer: string, r: Running): SessionReport => {
  const bfd = r.spec.bfd === undefined || r.remote === undefined ? undefined : a.deps.bfd?.state(bfdPeerOf(r.spec, r.remote))
  return {
    peer,
    remote: r.spec.discoverOn === undefined ? r.spec.remote : `router on ${r.spec.discoverOn}`,
    state: r.session?.state() ?? 'Discovering',
    ...(bfd === undefined ? {} : { bfd }),
    ...(r.lastDown === undefined ? {} : { lastDown: r.lastDown }),
  }
}

/** The listeners for every running session, an unnumbered one at its router's address once found. */
const ensureListeners = (a: Applier): Promise<void> =>
  a.listeners?.ensure([...a.running.values()].map((r) => (r.spec.discoverOn === undefined || r.remote === undefined ? r.spec : { ...r.spec, remote: r.remote }))) ?? Promise.resolve()

const applyPlan = async (a: Applier, plan: BgpPassPlan): Promise<void> => {
  const { diff } = plan.sessions
  for (const peer of diff.stop) void close(a, peer, false)
  for (const spec of [...diff.restart, ...diff.start]) {
    void close(a, spec.peer, false)
    open(a, spec)
  }
  for (const spec of diff.bfd) retimeBfd(a, spec)
  for (const n of plan.sessions.refusedChanged) a.deps.log.warn('bgp-peer-refused', { peer: n.peer, reason: n.reason })
  await ensureListeners(a)
  for (const [peer, r] of a.running) {
    r.routes = plan.routes.get(peer) ?? []
    r.session?.advertise(r.routes)
  }
}

export const startBgpApplier = (deps: BgpApplierDeps): BgpApplier => {
  const a: Applier = { deps, running: new Map(), startedOnce: new Set(), listeners: undefined }
  const listeners = bgpListeners({
    log: deps.log,
    listen: deps.listen,
    port: deps.port ?? 179,
    hosts: deps.listenHosts ?? { v4: '0.0.0.0', v6: '::' },
    sessionFor: (remote) => {
      const r = byRemote(a, remote)
      const session = r?.session
      return r === undefined || session === undefined ? undefined : { ...session, accept: (s) => session.accept(track(r.sockets, s)) }
    },
  })
  a.listeners = listeners
  deps.bfd?.on('down', (peer, diag) => onBfdDown(a, peer.address, diag))
  deps.bfd?.on('down', () => deps.onChange?.())
  deps.bfd?.on('up', () => deps.onChange?.())
  return {
    apply: (plan) => applyPlan(a, plan),
    stop: async () => {
      const bfdGone = [...a.running.keys()].map((peer) => close(a, peer, true))
      await listeners.close()
      await Promise.all(bfdGone)
    },
    states: () => new Map([...a.running].map(([peer, r]) => [peer, r.session?.state() ?? 'Discovering'])),
    reports: () => [...a.running].map(([peer, r]) => reportOf(a, peer, r)),
  }
}
