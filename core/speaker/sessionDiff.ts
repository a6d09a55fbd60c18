// From the sessions running to the sessions wanted: which to start, stop, or restart. Only what
// shapes the session itself counts (the whole SessionSpec: OPEN, timers, socket, password, BFD);
// routes are not in a spec, so advertising never resets a session. A password change restarts,
// as the kernel's MD5 key is set on the socket before the SYN.
import { Redacted } from './peerPassword.js'
import type { SessionSpec } from './sessionPlan.js'

export interface SessionDiff {
  readonly start: readonly SessionSpec[]
  readonly stop: readonly string[]
  /** Stop the running one, then start this one. */
  readonly restart: readonly SessionSpec[]
}

/** Canonical text of a spec, the password's text included (compared, never printed). */
// A replacer sees values after toJSON, so the box is read from its holder; addresses are bigints.
const fingerprint = (s: SessionSpec): string =>
  JSON.stringify(s, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key]
    if (raw instanceof Redacted) return `md5:${raw.reveal()}`
    return typeof value === 'bigint' ? value.toString() : value
  })

export const sameSession = (a: SessionSpec, b: SessionSpec): boolean => fingerprint(a) === fingerprint(b)

export const diffSessions = (running: ReadonlyMap<string, SessionSpec>, wanted: ReadonlyMap<string, SessionSpec>): SessionDiff => {
  const start: SessionSpec[] = []
  const restart: SessionSpec[] = []
  for (const [key, w] of wanted) {
    const r = running.get(key)
    if (r === undefined) start.push(w)
    else if (!sameSession(r, w)) restart.push(w)
  }
  const stop = [...running.keys()].filter((k) => !wanted.has(k))
  return { start, stop, restart }
}

export const isEmptyDiff = (d: SessionDiff): boolean => d.start.length === 0 && d.stop.length === 0 && d.restart.length === 0
