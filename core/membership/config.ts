// The detector's timing and fan-out, and the quantities derived from them. Defaults aim at
// sub-second L2 failover on a LAN: a crashed speaker is probed within a few 100 ms periods, its
// probe fails within 80 ms, and once K independent members confirm the suspicion it is declared
// dead after suspicionMinMs. A lone unconfirmed suspicion (what packet loss produces) waits
// suspicionMaxMs, ample time for the suspect to refute it (Lifeguard, "Dynamic Suspicion Timeout").
// Compare memberlist's LAN profile: 1 s probes, 500 ms timeout, 4-24 s suspicion.

export interface MembershipConfig {
  /** One direct probe per period, round-robin over a shuffled order (SWIM section 4.3). */
  readonly probeIntervalMs: number
  /** Wait this long for the target's own Ack before asking helpers. */
  readonly directTimeoutMs: number
  /** The probe fails if no Ack (direct or relayed) came this long after it started (< interval). */
  readonly probeTimeoutMs: number
  /** Helpers asked to probe indirectly (SWIM's k). */
  readonly indirectChecks: number
  /** Suspicion timeout once `suspicionConfirmations` members confirmed, and with none. */
  readonly suspicionMinMs: number
  readonly suspicionMaxMs: number
  readonly suspicionConfirmations: number
  /** Gossip rounds: to `gossipFanout` random live members, only while there is news. */
  readonly gossipIntervalMs: number
  readonly gossipFanout: number
  /** Each update is sent retransmitMult * ceil(log10(n + 1)) times by each member (memberlist). */
  readonly retransmitMult: number
  /** Members believed dead or gone are still pinged this often, so a healed partition shows. */
  readonly deadProbeIntervalMs: number
  /** Datagram budget, authentication tag included. */
  readonly maxPacketBytes: number
  /** Lifeguard local health: timeouts and the probe interval stretch by (1 + score). */
  readonly awarenessMax: number
  /** A gap between Ticks longer than this means this process stalled: the gap does not count. */
  readonly stallGapMs: number
}

export const defaultConfig: MembershipConfig = {
  probeIntervalMs: 100,
  directTimeoutMs: 30,
  probeTimeoutMs: 80,
  indirectChecks: 3,
  suspicionMinMs: 250,
  suspicionMaxMs: 1500,
  suspicionConfirmations: 3,
  gossipIntervalMs: 50,
  gossipFanout: 3,
  retransmitMult: 4,
  deadProbeIntervalMs: 200,
  maxPacketBytes: 1400,
  awarenessMax: 8,
  stallGapMs: 60,
}

/**
 * The detector paced at `probeIntervalMs` (>= the default's 100 ms): the probe and suspicion timeouts
 * and the dead-member probe grow in the same proportion, so a slower detector is a more patient one.
 * At 1 s: 300/800 ms probe timeouts and 2.5-15 s suspicion, near memberlist's LAN profile (MetalLB's).
 * Why: only the probe rate costs idle CPU, and a detector on the speaker's main thread must wait out a
 * reconcile pass (74-108 ms at 3,000 Services), which the default's 80 ms probe timeout does not.
 */
export const pacedConfig = (probeIntervalMs: number): MembershipConfig => {
  const k = probeIntervalMs / defaultConfig.probeIntervalMs
  const scaled = (ms: number): number => Math.round(ms * k)
  const d = defaultConfig
  return {
    ...d,
    probeIntervalMs,
    directTimeoutMs: scaled(d.directTimeoutMs),
    probeTimeoutMs: scaled(d.probeTimeoutMs),
    suspicionMinMs: scaled(d.suspicionMinMs),
    suspicionMaxMs: scaled(d.suspicionMaxMs),
    deadProbeIntervalMs: scaled(d.deadProbeIntervalMs),
  }
}

/** Room the shell needs after the signed bytes: length byte and the largest tag. */
export const TAG_RESERVE = 1 + 64

export const retransmitLimit = (c: MembershipConfig, clusterSize: number): number =>
  c.retransmitMult * Math.max(1, Math.ceil(Math.log10(clusterSize + 1)))

/**
 * Lifeguard's suspicion timeout: starts at the maximum and falls with the logarithm of independent
 * confirmations towards the minimum, reached at `expected` confirmations. `expected` is capped by
 * how many members could confirm at all (everyone but the suspect and ourselves).
 */
export const suspicionTimeout = (c: MembershipConfig, confirmations: number, liveMembers: number): number => {
  const expected = Math.min(c.suspicionConfirmations, Math.max(0, liveMembers - 2))
  if (expected < 1 || confirmations >= expected) return c.suspicionMinMs
  const fraction = Math.log(confirmations + 1) / Math.log(expected + 1)
  return Math.max(c.suspicionMinMs, Math.floor(c.suspicionMaxMs - (c.suspicionMaxMs - c.suspicionMinMs) * fraction))
}

/** Local-health score (0..awarenessMax) from missed Nacks and refutations, plus this process's own
 *  measured event-loop delay in units of the direct timeout. */
export const healthScore = (c: MembershipConfig, awareness: number, loopDelayMs: number): number =>
  Math.min(c.awarenessMax, awareness + Math.floor(Math.max(0, loopDelayMs) / c.directTimeoutMs))
