// The speaker's Prometheus metrics, with MetalLB's names where MetalLB has them, plus IronLB's
// failover histogram and membership counters. Every label takes values from a bounded set: `ip`
// only IPs this node announces (the responder forgets an IP's series when it stops announcing
// it), `service`/`ip` of metallb_speaker_announced likewise, `reason` and `protocol` from the
// core's named unions; `peer`/`vrf` of metallb_bgp_* only sessions the speaker runs (shell/bgp/metrics.ts);
// nothing a host on the LAN sends can add a series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { BgpSkipReason } from '../../core/bgp/advertiseReason.js'
import type { NodeSkipReason } from '../../core/l2/decision.js'
import { L2_UNABLE_REASONS, type L2Readiness } from '../../core/speaker/l2Readiness.js'
import { bgpMetrics } from '../bgp/metrics.js'
import type { ResponderCounters } from './l2Responder.js'

const responderCounters = (registry: Registry): ResponderCounters => {
  const requests = new Counter({ name: 'metallb_layer2_requests_received', help: 'Number of layer2 requests received for owned IPs', labelNames: ['ip'], registers: [registry] })
  const responses = new Counter({ name: 'metallb_layer2_responses_sent', help: 'Number of layer2 responses sent for owned IPs', labelNames: ['ip'], registers: [registry] })
  const gratuitous = new Counter({ name: 'metallb_layer2_gratuitous_sent', help: 'Number of gratuitous layer2 packets sent for owned IPs as a result of failovers', labelNames: ['ip'], registers: [registry] })
  const drops = new Counter({ name: 'ironlb_layer2_frames_dropped_total', help: 'ARP/NDP frames not answered, by reason (malformed frames included)', labelNames: ['protocol', 'reason'], registers: [registry] })
  return {
    request: (ip: string) => requests.inc({ ip }),
    response: (ip: string) => responses.inc({ ip }),
    gratuitous: (ip: string) => gratuitous.inc({ ip }),
    drop: (protocol: 'arp' | 'ndp', reason: string) => drops.inc({ protocol, reason }),
    forget: (ip: string) => {
      requests.remove({ ip })
      responses.remove({ ip })
      gratuitous.remove({ ip })
    },
  }
}

/** metallb_speaker_announced: one series per Service IP announced here, removed when it goes. */
const announcedGauge = (registry: Registry, node: string) => {
  const announced = new Gauge({
    name: 'metallb_speaker_announced',
    help: 'Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.',
    labelNames: ['node', 'protocol', 'service', 'ip'],
    registers: [registry],
  })
  let shown = new Map<string, { service: string; ip: string }>()
  return (list: readonly { readonly service: string; readonly ip: string }[]): void => {
    const next = new Map(list.map((a) => [`${a.service}|${a.ip}`, a]))
    for (const [k, a] of shown) if (!next.has(k)) announced.remove({ node, protocol: 'layer2', service: a.service, ip: a.ip })
    for (const a of next.values()) announced.set({ node, protocol: 'layer2', service: a.service, ip: a.ip }, 1)
    shown = next
  }
}

const readinessGauge = (registry: Registry) => {
  const l2Unable = new Gauge({
    name: 'ironlb_speaker_layer2_unable',
    help: '1 for the reason this speaker cannot answer ARP/NDP (it then stays out of the election and is not ready); all 0 when it can',
    labelNames: ['reason'],
    registers: [registry],
  })
  return (r: L2Readiness): void => {
    for (const reason of L2_UNABLE_REASONS) l2Unable.set({ reason }, r._tag === 'Unable' && r.reason === reason ? 1 : 0)
  }
}

/** IPs per reason: the labels are the core's reason list (core/speaker/notAnnounced.ts), never an IP. */
const notAnnouncedGauge = (registry: Registry) => {
  const gauge = new Gauge({
    name: 'ironlb_speaker_not_announced',
    help: 'Service IPs this node does not announce, by protocol and the core\'s reason (NotOwner, NoLocalEndpoints, ...; for bgp, each (IP, peer) pair counts); a LoadBalancer Service without an IP counts once (per peer for bgp), as NoIP',
    labelNames: ['protocol', 'reason'],
    registers: [registry],
  })
  return (protocol: 'layer2' | 'bgp', counts: ReadonlyMap<NodeSkipReason | BgpSkipReason, number>): void => {
    for (const [reason, n] of counts) gauge.set({ protocol, reason }, n)
  }
}

/**
 * `loopLagResolutionMs`: the event-loop lag histogram samples with a timer, each sample a wake-up of
 * the idle speaker (prom-client's default 10 ms: 100 a second). At 100 ms a stall longer than 100 ms
 * always shows; the speaker passes its probe interval, so the low-cost setting samples once a second
 * (an idle process: 0.10% of a core at 100 ms, 0.04% at 1 s).
 */
export const speakerMetrics = (node: string, loopLagResolutionMs = 100) => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: loopLagResolutionMs })
  return {
    registry,
    setAnnounced: announcedGauge(registry, node),
    setL2Readiness: readinessGauge(registry),
    setNotAnnounced: notAnnouncedGauge(registry),
    counters: responderCounters(registry),
    /** Pass to each BGP session (shell/bgp/peerSession.ts `observe`); MetalLB's metallb_bgp_* series. */
    bgp: bgpMetrics(registry),
    failover: new Histogram({
      name: 'ironlb_layer2_failover_seconds',
      help: 'From the last sign of life of the previous owner to this node announcing the IP',
      buckets: [0.1, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
      registers: [registry],
    }),
    members: new Gauge({ name: 'ironlb_speaker_members_alive', help: 'Speakers this node believes alive (itself included)', registers: [registry] }),
    configLoaded: new Gauge({ name: 'metallb_k8s_client_config_loaded_bool', help: '1 if the MetalLB configuration was successfully loaded at least once', registers: [registry] }),
    configStale: new Gauge({ name: 'metallb_k8s_client_config_stale_bool', help: '1 if running on a stale configuration, because the latest config failed to load', registers: [registry] }),
  }
}

export type SpeakerMetrics = ReturnType<typeof speakerMetrics>
