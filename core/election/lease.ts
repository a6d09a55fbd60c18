// Leader election on a coordination.k8s.io Lease, as a pure decision. The shell reads the Lease,
// asks what to do, and writes with the resourceVersion it read, so a 409 Conflict means another
// replica won the race. Like client-go, expiry is judged by when *we* last saw the record change
// (our own clock), never by the renewTime another node wrote, so clock skew between nodes cannot
// make two replicas lead at once.

export interface LeaseRecord {
  /** Empty when released. */
  readonly holderIdentity: string
  readonly leaseDurationSeconds: number
  readonly leaseTransitions: number
  readonly resourceVersion: string
}

export interface ElectionTiming {
  readonly leaseDurationMs: number
  /** A leader that has not renewed for this long steps down (must be < leaseDurationMs). */
  readonly renewDeadlineMs: number
  readonly retryPeriodMs: number
}

export interface Observation {
  readonly record: LeaseRecord
  /** Our clock when the record (holder or resourceVersion) last changed. */
  readonly observedAtMs: number
}

type LeaseAction =
  | { readonly _tag: 'Create'; readonly holderIdentity: string; readonly leaseDurationSeconds: number }
  | {
      readonly _tag: 'Acquire'
      readonly holderIdentity: string
      readonly leaseDurationSeconds: number
      readonly leaseTransitions: number
      readonly resourceVersion: string
    }
  | { readonly _tag: 'Renew'; readonly resourceVersion: string }
  | { readonly _tag: 'Follow'; readonly leader: string; readonly expiresAtMs: number }

/** What this replica should do with the Lease it just read (undefined: there is none). */
export const decideLease = (
  me: string,
  seen: Observation | undefined,
  nowMs: number,
  timing: ElectionTiming,
): LeaseAction => {
  const leaseDurationSeconds = Math.ceil(timing.leaseDurationMs / 1000)
  if (seen === undefined) return { _tag: 'Create', holderIdentity: me, leaseDurationSeconds }
  const { record } = seen
  if (record.holderIdentity === me) return { _tag: 'Renew', resourceVersion: record.resourceVersion }
  const expiresAtMs = seen.observedAtMs + record.leaseDurationSeconds * 1000
  if (record.holderIdentity !== '' && nowMs < expiresAtMs)
    return { _tag: 'Follow', leader: record.holderIdentity, expiresAtMs }
  return {
    _tag: 'Acquire',
    holderIdentity: me,
    leaseDurationSeconds,
    leaseTransitions: record.leaseTransitions + 1,
    resourceVersion: record.resourceVersion,
  }
}

/** A leader keeps leading only while its last successful renewal is within the renew deadline. */
export const stillLeading = (lastRenewedAtMs: number, nowMs: number, timing: ElectionTiming): boolean =>
  nowMs - lastRenewedAtMs < timing.renewDeadlineMs

/** The observation after reading `record` at `nowMs`: the clock restarts only when the record changed. */
export const observe = (previous: Observation | undefined, record: LeaseRecord, nowMs: number): Observation =>
  previous !== undefined &&
  previous.record.resourceVersion === record.resourceVersion &&
  previous.record.holderIdentity === record.holderIdentity
    ? previous
    : { record, observedAtMs: nowMs }
