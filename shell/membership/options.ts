// The speaker-facing options of the detector, checked once at the edge (names, ports, keys) and
// turned into the core's Member records.
import * as E from 'fp-ts/lib/Either.js'
import type { MembershipConfig } from '../../core/membership/config.js'
import { type Member, member } from '../../core/membership/member.js'

export const DEFAULT_PORT = 7946

/**
 * Long enough for the kubelet to bring the new Secret to every node (its sync period is a minute;
 * with its cache, allow two) and for the speakers to reload it, with room to spare.
 */
export const DEFAULT_KEY_GRACE_MS = 5 * 60_000

/** A duration flag: "300s", "5m", "1h", "500ms", or bare seconds. */
export const parseDuration = (text: string): E.Either<string, number> => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (m === null) return E.left(`"${text}" is not a duration like 300s, 5m or 1h`)
  const unit = m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : 1_000
  return E.right(Number(m[1]) * unit)
}

/**
 * The detector's probe period as the speaker's flag sets it (default 100 ms, core/membership/config.ts).
 * Idle CPU follows it: 3 detectors on loopback used 1.7-2.0% of a core each at 100 ms and 0.9-1.3% at
 * 200 ms (README, "Side by side with MetalLB"); a crash is noticed later by about the added period.
 * Below 100 ms the probe's own 80 ms timeout would not fit; above 10 s a crash goes unseen too long.
 */
export const PROBE_INTERVAL_MS = { min: 100, max: 10_000 } as const

export const parseProbeInterval = (text: string): E.Either<string, number> => {
  const d = parseDuration(text)
  if (E.isLeft(d)) return d
  return d.right >= PROBE_INTERVAL_MS.min && d.right <= PROBE_INTERVAL_MS.max ? d : E.left(`"${text}" is outside ${PROBE_INTERVAL_MS.min}ms-${PROBE_INTERVAL_MS.max / 1000}s`)
}

/** A speaker node: its name and the address its detector listens on (port: the common one). */
export interface MemberSpec {
  readonly name: string
  readonly host: string
  readonly port?: number
}

export interface MembershipOptions {
  readonly self: string
  readonly bindAddress: string
  /** Default 7946; 0 asks the kernel for a free one (tests). */
  readonly port?: number
  /** Address peers reach us at, if not bindAddress (e.g. bound to 0.0.0.0). */
  readonly advertiseHost?: string
  /** The shared key as read at start. */
  readonly key: Uint8Array
  /** The file the key came from (the mounted Secret): reloaded when it changes (keyFile.ts). */
  readonly keyFile?: string
  /** After a rotation the previous key still signs and verifies this long (default 5 min). */
  readonly keyGraceMs?: number
  /** Re-read the key file at least this often (default 10 s). */
  readonly keyPollMs?: number
  /** The last known speaker set; ourselves may be listed or not. */
  readonly members: readonly MemberSpec[]
  readonly config?: Partial<MembershipConfig>
  /** Run the detector on its own thread (default), so a busy main loop cannot make us look dead. */
  readonly thread?: 'worker' | 'main'
  /** Grace after Leave during which we still answer with Leave (default 100 ms). */
  readonly leaveLingerMs?: number
  readonly onChange: (alive: ReadonlySet<string>) => void
  readonly onEvent?: (e: MembershipEvent) => void
}

/** Structured events for the speaker's JSON log and metrics (stable keys). */
export type MembershipEvent =
  | { readonly event: 'member'; readonly node: string; readonly status: string; readonly incarnation: number; readonly reason: string }
  | { readonly event: 'dropped'; readonly reason: string; readonly from: string; readonly sender?: string }
  | { readonly event: 'sendError'; readonly node: string; readonly error: string }
  /** The membership key: rotated in from the file, the previous one retired, or a bad file refused. */
  | { readonly event: 'key'; readonly change: 'rotated' | 'previous-retired' | 'refused' | 'unreadable'; readonly detail: string }
  /** The detector's thread died; the live set is no longer maintained. */
  | { readonly event: 'fatal'; readonly error: string }

export const toMembers = (list: readonly MemberSpec[], defaultPort: number): readonly Member[] =>
  list.map((m) => {
    const r = member(m.name, m.host, m.port ?? defaultPort)
    if (E.isLeft(r)) throw new Error(`membership: ${r.left}`)
    return r.right
  })
