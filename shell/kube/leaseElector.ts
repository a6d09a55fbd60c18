// Runs the Lease election loop (the decision is core/election/lease.ts). Every retry period it reads
// the Lease and creates, acquires or renews it with the resourceVersion it read; a 409 means another
// replica won. Leadership is counted from when a successful write was *sent*, so this replica stops
// acting before any other could have taken over.
import { type ElectionTiming, type LeaseRecord, type Observation, decideLease, observe, stillLeading } from '../../core/election/lease.js'
import type { Logger } from '../obs/log.js'
import { sleep } from './backoff.js'
import type { RestClient } from './rest.js'

interface LeaseElectorOptions {
  readonly rest: RestClient
  readonly namespace: string
  readonly name: string
  readonly identity: string
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

export const startLeaseElector = (opts: LeaseElectorOptions): LeaseElector => {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${opts.namespace}/leases`
  const path = `${collection}/${opts.name}`
  const stopper = new AbortController()
  let seen: Observation | undefined
  let lastLease: LeaseObject | undefined
  let lastRenewedAt: number | undefined
  let leading = false

  const setLeading = (now: boolean): void => {
    if (now === leading) return
    leading = now
    opts.log.info(now ? 'became-leader' : 'lost-leadership', { lease: `${opts.namespace}/${opts.name}`, identity: opts.identity })
    try {
      ;(now ? opts.onStartedLeading : opts.onStoppedLeading)()
    } catch (err) {
      opts.log.error('leadership-callback-failed', { error: err })
    }
  }

  /** The one rule for losing leadership without a failed write: the last renewal is too old. */
  const dropIfLapsed = (): void => {
    if (leading && (lastRenewedAt === undefined || !stillLeading(lastRenewedAt, Date.now(), opts.timing))) setLeading(false)
  }

  const attempt = async (): Promise<void> => {
    const startedAt = Date.now()
    // Half the renew deadline: a slow API server gets time to answer, and a second try still fits.
    const timeoutMs = Math.max(1_000, opts.timing.renewDeadlineMs / 2)
    const got = await opts.rest.request('GET', path, { timeoutMs })
    if (got.status === 200) {
      lastLease = got.body as LeaseObject
      seen = observe(seen, recordOf(lastLease), Date.now())
    } else if (got.status === 404) {
      seen = undefined
      lastLease = undefined
    } else {
      throw new Error(`read lease: HTTP ${got.status}`)
    }
    const action = decideLease(opts.identity, seen, Date.now(), opts.timing)
    const now = microTime(Date.now())
    let res
    switch (action._tag) {
      case 'Follow':
        return
      case 'Create':
        res = await opts.rest.request('POST', collection, {
          timeoutMs,
          body: {
            apiVersion: 'coordination.k8s.io/v1',
            kind: 'Lease',
            metadata: { name: opts.name, namespace: opts.namespace },
            spec: { holderIdentity: action.holderIdentity, leaseDurationSeconds: action.leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
          },
        })
        break
      case 'Acquire':
      case 'Renew': {
        const spec =
          action._tag === 'Renew'
            ? { ...lastLease?.spec, renewTime: now }
            : { holderIdentity: action.holderIdentity, leaseDurationSeconds: action.leaseDurationSeconds, leaseTransitions: action.leaseTransitions, acquireTime: now, renewTime: now }
        res = await opts.rest.request('PUT', path, {
          timeoutMs,
          body: { ...lastLease, metadata: { ...lastLease?.metadata, resourceVersion: action.resourceVersion }, spec },
        })
        break
      }
    }
    if (res.status === 200 || res.status === 201) {
      lastLease = res.body as LeaseObject
      seen = observe(seen, recordOf(lastLease), Date.now())
      lastRenewedAt = startedAt
      setLeading(true)
    }
    // 409: someone else wrote first; the next round reads who.
  }

  const loop = async (): Promise<void> => {
    while (!stopper.signal.aborted) {
      const roundStarted = Date.now()
      try {
        await attempt()
      } catch (err) {
        opts.log.warn('lease-round-failed', { error: err })
      }
      const roundMs = Date.now() - roundStarted
      if (roundMs > opts.timing.renewDeadlineMs / 2) opts.log.warn('lease-round-slow', { ms: roundMs, renewDeadlineMs: opts.timing.renewDeadlineMs })
      dropIfLapsed()
      await sleep(opts.timing.retryPeriodMs, stopper.signal)
    }
  }
  const running = loop()

  return {
    // A lapse seen here counts as lost leadership at once, so the renewal that restores it calls
    // onStartedLeading again and the work skipped meanwhile is redone.
    isLeader: () => {
      dropIfLapsed()
      return leading
    },
    stop: async () => {
      stopper.abort()
      await running
      if (!leading || lastLease === undefined) return
      setLeading(false)
      const released = { ...lastLease, spec: { ...lastLease.spec, holderIdentity: '', leaseDurationSeconds: 1 } }
      await opts.rest.request('PUT', path, { body: released, timeoutMs: 2_000 }).catch(() => undefined)
    },
  }
}
