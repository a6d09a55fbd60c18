// Runs the Lease election loop (the decision is core/election/lease.ts). Every retry period it reads
// the Lease and creates, acquires or renews it with the resourceVersion it read; a 409 means another
// replica won. Leadership is counted from when a successful write was *sent*, so this replica stops
// acting before any other could have taken over.
import { type ElectionTiming, type LeaseRecord, type Observation, decideLease, observe, stillLeading } from '../../core/election/lease.js'
import type { OwnerReference } from '../../core/controller/installOwner.js'
import type { Logger } from '../obs/log.js'
import { sleep } from './backoff.js'
import type { RestClient, RestResponse } from './rest.js'

interface LeaseElectorOptions {
  readonly rest: RestClient
  readonly namespace: string
  readonly name: string
  readonly identity: string
  /** Set on the Lease when this replica creates it (the collector then removes it with its owner). */
  readonly ownerReferences?: readonly OwnerReference[]
  readonly timing: ElectionTiming
  readonly log: Logger
  readonly onStartedLeading: () => void
  readonly onStoppedLeading: () => void
}

export interface LeaseElector {
  readonly isLeader: () => boolean
  /** Stops the loop; a leader releases the Lease so a successor need not wait for it to expire. */
  readonly stop: () => Promise<void>
}

interface LeaseObject {
  readonly metadata: { readonly resourceVersion: string }
  readonly spec?: {
    readonly holderIdentity?: string
    readonly leaseDurationSeconds?: number
    readonly leaseTransitions?: number
    readonly acquireTime?: string
  }
}

/** metav1.MicroTime's wire format. */
const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')

const recordOf = (lease: LeaseObject): LeaseRecord => ({
  holderIdentity: lease.spec?.holderIdentity ?? '',
  leaseDurationSeconds: lease.spec?.leaseDurationSeconds ?? 0,
  leaseTransitions: lease.spec?.leaseTransitions ?? 0,
  resourceVersion: lease.metadata.resourceVersion,
})

/** What one replica knows between rounds; written only by the functions below. */
interface ElectorState {
  seen: Observation | undefined
  lastLease: LeaseObject | undefined
  lastRenewedAt: number | undefined
  leading: boolean
}

const collectionOf = (opts: LeaseElectorOptions): string => `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`
const pathOf = (opts: LeaseElectorOptions): string => `${collectionOf(opts)}/${opts.name}`

const setLeading = (opts: LeaseElectorOptions, st: ElectorState, now: boolean): void => {
  if (now === st.leading) return
  st.leading = now
  opts.log.info(now ? 'became-leader' : 'lost-leadership', { lease: `${opts.namespace}/${opts.name}`, identity: opts.identity })
  try {
    ;(now ? opts.onStartedLeading : opts.onStoppedLeading)()
  } catch (err) {
    opts.log.error('leadership-callback-failed', { error: err })
  }
}

/** The one rule for losing leadership without a failed write: the last renewal is too old. */
const dropIfLapsed = (opts: LeaseElectorOptions, st: ElectorState): void => {
  if (st.leading && (st.lastRenewedAt === undefined || !stillLeading(st.lastRenewedAt, Date.now(), opts.timing))) setLeading(opts, st, false)
}

/** The write a decision asks for: none to follow, a POST to create, a PUT at the version read to acquire or renew. */
const writeLease = (opts: LeaseElectorOptions, st: ElectorState, action: ReturnType<typeof decideLease>, timeoutMs: number): Promise<RestResponse> | undefined => {
  const now = microTime(Date.now())
  switch (action._tag) {
    case 'Follow':
      return undefined
    case 'Create':
      return opts.rest.request('POST', collectionOf(opts), {
        timeoutMs,
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: opts.name, namespace: opts.namespace, ...(opts.ownerReferences === undefined || opts.ownerReferences.length === 0 ? {} : { ownerReferences: opts.ownerReferences }) },
          spec: { holderIdentity: action.holderIdentity, leaseDurationSeconds: action.leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
        },
      })
    case 'Acquire':
    case 'Renew': {
      const spec =
        action._tag === 'Renew'
          ? { ...st.lastLease?.spec, renewTime: now }
          : { holderIdentity: action.holderIdentity, leaseDurationSeconds: action.leaseDurationSeconds, leaseTransitions: action.leaseTransitions, acquireTime: now, renewTime: now }
      return opts.rest.request('PUT', pathOf(opts), {
        timeoutMs,
        body: { ...st.lastLease, metadata: { ...st.lastLease?.metadata, resourceVersion: action.resourceVersion }, spec },
      })
    }
  }
}

const attempt = async (opts: LeaseElectorOptions, st: ElectorState): Promise<void> => {
  const startedAt = Date.now()
  // Half the renew deadline: a slow API server gets time to answer, and a second try still fits.
  const timeoutMs = Math.max(1_000, opts.timing.renewDeadlineMs / 2)
  const got = await opts.rest.request('GET', pathOf(opts), { timeoutMs })
  if (got.status === 200) {
    st.lastLease = got.body as LeaseObject
    st.seen = observe(st.seen, recordOf(st.lastLease), Date.now())
  } else if (got.status === 404) {
    st.seen = undefined
    st.lastLease = undefined
  } else {
    throw new Error(`read lease: HTTP ${got.status}`)
  }
  const write = writeLease(opts, st, decideLease(opts.identity, st.seen, Date.now(), opts.timing), timeoutMs)
  if (write === undefined) return
  const res = await write
  if (res.status === 200 || res.status === 201) {
    st.lastLease = res.body as LeaseObject
    st.seen = observe(st.seen, recordOf(st.lastLease), Date.now())
    st.lastRenewedAt = startedAt
    setLeading(opts, st, true)
  }
  // 409: someone else wrote first; the next round reads who.
}

const loop = async (opts: LeaseElectorOptions, st: ElectorState, signal: AbortSignal): Promise<void> => {
  while (!signal.aborted) {
    const roundStarted = Date.now()
    try {
      await attempt(opts, st)
    } catch (err) {
      opts.log.warn('lease-round-failed', { error: err })
    }
    const roundMs = Date.now() - roundStarted
    if (roundMs > opts.timing.renewDeadlineMs / 2) opts.log.warn('lease-round-slow', { ms: roundMs, renewDeadlineMs: opts.timing.renewDeadlineMs })
    dropIfLapsed(opts, st)
    await sleep(opts.timing.retryPeriodMs, signal)
  }
}

export const startLeaseElector = (opts: LeaseElectorOptions): LeaseElector => {
  const stopper = new AbortController()
  const st: ElectorState = { seen: undefined, lastLease: undefined, lastRenewedAt: undefined, leading: false }
  const running = loop(opts, st, stopper.signal)
  return {
    // A lapse seen here counts as lost leadership at once, so the renewal that restores it calls
    // onStartedLeading again and the work skipped meanwhile is redone.
    isLeader: () => {
      dropIfLapsed(opts, st)
      return st.leading
    },
    stop: async () => {
      stopper.abort()
      await running
      if (!st.leading || st.lastLease === undefined) return
      setLeading(opts, st, false)
      const released = { ...st.lastLease, spec: { ...st.lastLease.spec, holderIdentity: '', leaseDurationSeconds: 1 } }
      await opts.rest.request('PUT', pathOf(opts), { body: released, timeoutMs: 2_000 }).catch(() => undefined)
    },
  }
}
