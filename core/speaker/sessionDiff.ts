// From the sessions running to the sessions wanted: which to start, stop, or restart. Only what
// shapes the BGP session itself counts (OPEN, timers, socket, password); routes are not in a spec,
// so advertising never resets a session. A password change restarts, as the kernel's MD5 key is set
// on the socket before the SYN. A BFD profile added, changed or removed is its own change: BFD's
// timers change under a running BGP session (a poll sequence), which stays up.
import { Redacted } from './peerPassword.js'
import type { SessionSpec } from './sessionPlan.js'

export interface SessionDiff {
  readonly start: readonly SessionSpec[]
  readonly stop: readonly string[]
  /** Stop the running one, then start this one. */
  readonly restart: readonly SessionSpec[]
  /** The same BGP session with another BFD profile, or none now: start, retime or stop BFD only. */
  readonly bfd: readonly SessionSpec[]
}

/** Canonical text of a spec, the password's text included (compared, never printed). */
// A replacer sees values after toJSON, so the box is read from its holder; addresses are bigints.
const fingerprint = (s: SessionSpec | SessionSpec['bfd']): string =>
  JSON.stringify(s, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key]
    if (raw instanceof Redacted) return `md5:${raw.reveal()}`
    return typeof value === 'bigint' ? value.toString() : value
  })

/** The same BGP session (BFD aside). */
export const sameSession = (a: SessionSpec, b: SessionSpec): boolean => fingerprint({ ...a, bfd: undefined }) === fingerprint({ ...b, bfd: undefined })

const sameBfd = (a: SessionSpec, b: SessionSpec): boolean => fingerprint(a.bfd) === fingerprint(b.bfd)

export const diffSessions = (running: ReadonlyMap<string, SessionSpec>, wanted: ReadonlyMap<string, SessionSpec>): SessionDiff => {
  const start: SessionSpec[] = []
  const restart: SessionSpec[] = []
  const bfd: SessionSpec[] = []
  for (const [key, w] of wanted) {
    const r = running.get(key)
    if (r === undefined) start.push(w)
    else if (!sameSession(r, w)) restart.push(w)
    else if (!sameBfd(r, w)) bfd.push(w)
  }
  const stop = [...running.keys()].filter((k) => !wanted.has(k))
  return { start, stop, restart, bfd }
}

export const isEmptyDiff = (d: SessionDiff): boolean => d.start.length === 0 && d.stop.length === 0 && d.restart.length === 0 && d.bfd.length === 0
