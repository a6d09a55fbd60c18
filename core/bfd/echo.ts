// The echo function's timing (RFC 5880 §6.4, §6.8.9), apart from the state machine that uses it
// (core/bfd/session.ts). Echo runs only while the session is Up, only when this side wants it (a
// BFDProfile's echoMode on a single-hop IPv4 peer) and only when the peer says it will loop echoes
// back (a nonzero Required Min Echo RX Interval). Echoes go no faster than the peer allows; the echo
// detection time is our Detect Mult times that interval (§6.8.5 leaves the echo detection time to the
// implementation; a BFDProfile's detectMultiplier x echoInterval, as MetalLB's documentation says).
import type { BfdState } from './packet.js'

interface EchoInputs {
  readonly state: BfdState
  /** Our echo interval in microseconds; 0 when echo is off for this session. */
  readonly echoUs: number
  readonly remoteMinEchoRxUs: number
  readonly detectMult: number
}

export const echoActive = (s: EchoInputs): boolean => s.state === 'Up' && s.echoUs > 0 && s.remoteMinEchoRxUs > 0

/** §6.8.9: never faster than the peer's Required Min Echo RX Interval. */
const echoTxUs = (s: EchoInputs): number => Math.max(s.echoUs, s.remoteMinEchoRxUs)

/** §6.8.9 jitters echoes as §6.8.7 does control packets: less 0-25 % (75-90 % with Detect Mult 1). */
export const echoIntervalMs = (s: EchoInputs, jitter: number): number => {
  const j = Math.min(Math.max(jitter, 0), 1)
  const factor = s.detectMult === 1 ? 0.9 - 0.15 * j : 1 - 0.25 * j
  return (echoTxUs(s) * factor) / 1000
}

/** How long with no echo back before the session goes Down with diag 2 (Echo Function Failed). */
export const echoDetectionMs = (s: EchoInputs): number => (s.detectMult * echoTxUs(s)) / 1000
