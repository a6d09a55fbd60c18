// BGP's Prometheus metrics under MetalLB's names and labels: the native speaker's session_up,
// updates_total, announced_prefixes_total and pending_prefixes_total, and the FRR mode's message
// counters (opens, notifications, updates received, keepalives, route refresh, totals), all labelled
// `peer` ("address:port", as MetalLB prints it) and `vrf` ("default" outside one); and IronLB's
// ironlb_bgp_session_state, which of the five RFC 4271 states the session is in. Labels stay
// bounded: a series exists only for a session the speaker runs, and `forget` drops them all when
// the peer leaves the configuration. Nothing the peer sends can add a label value.
import { Counter, Gauge, type Registry } from 'prom-client'
import type { Message } from '../../core/bgp/message.js'
import type { SessionState } from '../../core/bgp/session.js'

/** Which session a series is about. */
export interface BgpPeerLabel {
  readonly peer: string
  readonly vrf: string
}

type BgpMessageKind = Message['_tag']

/** What shell/bgp/peerSession.ts reports as it runs; the speaker passes one made by bgpMetrics. */
export interface BgpObserver {
  readonly sent: (p: BgpPeerLabel, kind: BgpMessageKind) => void
  readonly received: (p: BgpPeerLabel, kind: BgpMessageKind) => void
  readonly state: (p: BgpPeerLabel, up: boolean) => void
  /** The RFC 4271 state the session moved to (IronLB's ironlb_bgp_session_state). */
  readonly phase: (p: BgpPeerLabel, s: SessionState) => void
  /** Prefixes the peer holds from us, and prefixes wanted at it (sent or waiting for the session). */
  readonly prefixes: (p: BgpPeerLabel, announced: number, pending: number) => void
  readonly forget: (p: BgpPeerLabel) => void
}

/** MetalLB's `peer` label: the address and port, "192.0.2.1:179". */
export const bgpPeerLabel = (address: string, port: number, vrf: string | undefined): BgpPeerLabel => ({ peer: `${address}:${port}`, vrf: vrf === undefined || vrf === '' ? 'default' : vrf })

const labelNames = ['peer', 'vrf'] as const

// A Record, so a state added to core/bgp/session.ts and not listed here fails to compile.
const STATES: Record<SessionState, true> = { Idle: true, Connect: true, OpenSent: true, OpenConfirm: true, Established: true }
const SESSION_STATES = Object.keys(STATES) as readonly SessionState[]

const counter = (registry: Registry, name: string, help: string) => new Counter({ name: `metallb_bgp_${name}`, help, labelNames, registers: [registry] })

/** Per message kind, the counter it moves on each side (besides the totals); none for the rest. */
const messageCounters = (registry: Registry) => ({
  sent: {
    Open: counter(registry, 'opens_sent', 'Number of BGP open messages sent'),
    Update: counter(registry, 'updates_total', 'Number of BGP UPDATE messages sent'),
    Notification: counter(registry, 'notifications_sent', 'Number of BGP notification messages sent'),
    Keepalive: counter(registry, 'keepalives_sent', 'Number of BGP keepalive messages sent'),
    RouteRefresh: counter(registry, 'route_refresh_sent', 'Number of BGP route refresh messages sent'),
  } satisfies Record<BgpMessageKind, Counter>,
  received: {
    Open: counter(registry, 'opens_received', 'Number of BGP open messages received'),
    Update: counter(registry, 'updates_total_received', 'Number of BGP UPDATE messages received'),
    Keepalive: counter(registry, 'keepalives_received', 'Number of BGP keepalive messages received'),
  } satisfies Partial<Record<BgpMessageKind, Counter>> as Partial<Record<BgpMessageKind, Counter>>,
  totalSent: counter(registry, 'total_sent', 'Number of total BGP messages sent'),
  totalReceived: counter(registry, 'total_received', 'Number of total BGP messages received'),
})

export const bgpMetrics = (registry: Registry): BgpObserver => {
  const up = new Gauge({ name: 'metallb_bgp_session_up', help: 'BGP session state (1 is up, 0 is down)', labelNames, registers: [registry] })
  const announced = new Gauge({ name: 'metallb_bgp_announced_prefixes_total', help: 'Number of prefixes currently being advertised on the BGP session', labelNames, registers: [registry] })
  const pending = new Gauge({ name: 'metallb_bgp_pending_prefixes_total', help: 'Number of prefixes that should be advertised on the BGP session', labelNames, registers: [registry] })
  const phase = new Gauge({
    name: 'ironlb_bgp_session_state',
    help: 'The BGP session\'s RFC 4271 state, 1 for the current one (Idle, Connect, OpenSent, OpenConfirm, Established); a session stuck short of Established says where',
    labelNames: [...labelNames, 'state'],
    registers: [registry],
  })
  const m = messageCounters(registry)
  const all = [up, announced, pending, m.totalSent, m.totalReceived, ...Object.values(m.sent), ...Object.values(m.received)]
  const labels = (p: BgpPeerLabel) => ({ peer: p.peer, vrf: p.vrf })
  return {
    sent: (p, kind) => {
      m.sent[kind].inc(labels(p))
      m.totalSent.inc(labels(p))
    },
    received: (p, kind) => {
      m.received[kind]?.inc(labels(p))
      m.totalReceived.inc(labels(p))
    },
    state: (p, isUp) => up.set(labels(p), isUp ? 1 : 0),
    phase: (p, now) => {
      for (const state of SESSION_STATES) phase.set({ ...labels(p), state }, state === now ? 1 : 0)
    },
    prefixes: (p, nAnnounced, nPending) => {
      announced.set(labels(p), nAnnounced)
      pending.set(labels(p), nPending)
    },
    forget: (p) => {
      for (const g of all) g.remove(labels(p))
      for (const state of SESSION_STATES) phase.remove({ ...labels(p), state })
    },
  }
}
