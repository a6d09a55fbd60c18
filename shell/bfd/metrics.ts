// BFD's Prometheus metrics under the names the issue asks for (MetalLB's, from its FRR mode), plus
// IronLB's discard counter. Labels stay bounded: `peer` only for sessions the speaker started (a stopped
// session's series go with it), `reason` from core/bfd/packet.ts's named discards, core/bfd/ttl.ts's and `NoSession`.
import { Counter, Gauge, type Registry } from 'prom-client'

/** What shell/bfd/bfd.ts reports as it runs; the speaker passes one made by bfdMetrics. */
export interface BfdObserver {
  readonly state: (peer: string, up: boolean) => void
  readonly sent: (peer: string) => void
  readonly received: (peer: string) => void
  /** An echo sent, and one of ours come back (RFC 5880 §6.4). */
  readonly echoSent: (peer: string) => void
  readonly echoReceived: (peer: string) => void
  readonly discarded: (reason: string) => void
  readonly forget: (peer: string) => void
}

export const bfdMetrics = (registry: Registry): BfdObserver => {
  const up = new Gauge({ name: 'metallb_bfd_session_up', help: 'BFD session state (1 is up, 0 is down)', labelNames: ['peer'], registers: [registry] })
  const upEvents = new Counter({ name: 'metallb_bfd_session_up_events', help: 'Number of times the BFD session came up', labelNames: ['peer'], registers: [registry] })
  const downEvents = new Counter({ name: 'metallb_bfd_session_down_events', help: 'Number of times the BFD session went down', labelNames: ['peer'], registers: [registry] })
  const input = new Counter({ name: 'metallb_bfd_control_packet_input', help: 'Number of BFD control packets received', labelNames: ['peer'], registers: [registry] })
  const output = new Counter({ name: 'metallb_bfd_control_packet_output', help: 'Number of BFD control packets sent', labelNames: ['peer'], registers: [registry] })
  const echoIn = new Counter({ name: 'metallb_bfd_echo_packet_input', help: 'Number of received BFD echo packets', labelNames: ['peer'], registers: [registry] })
  const echoOut = new Counter({ name: 'metallb_bfd_echo_packet_output', help: 'Number of sent BFD echo packets', labelNames: ['peer'], registers: [registry] })
  const discards = new Counter({ name: 'ironlb_bfd_packets_discarded_total', help: 'BFD packets dropped on receipt, by reason (RFC 5880 §6.8.6 checks, the TTL rules: TtlNot255 single hop, TtlBelowMinimum multi-hop, or no session for them)', labelNames: ['reason'], registers: [registry] })
  const isUpNow = new Map<string, boolean>()
  return {
    state: (peer, isUp) => {
      const was = isUpNow.get(peer) ?? false
      isUpNow.set(peer, isUp)
      up.set({ peer }, isUp ? 1 : 0)
      if (isUp && !was) upEvents.inc({ peer })
      if (!isUp && was) downEvents.inc({ peer })
    },
    sent: (peer) => output.inc({ peer }),
    received: (peer) => input.inc({ peer }),
    echoSent: (peer) => echoOut.inc({ peer }),
    echoReceived: (peer) => echoIn.inc({ peer }),
    discarded: (reason) => discards.inc({ reason }),
    forget: (peer) => {
      isUpNow.delete(peer)
      for (const m of [up, upEvents, downEvents, input, output, echoIn, echoOut]) m.remove({ peer })
    },
  }
}
