// Posts core/v1 Events (what `kubectl describe` shows) about an object. Best effort: an Event that
// cannot be written is logged, never retried in a loop, and never blocks the reconcile.
import { randomBytes } from 'node:crypto'
import type { Logger } from '../obs/log.js'
import type { RestClient } from './rest.js'

interface EventTarget {
  readonly apiVersion: string
  readonly kind: string
  readonly namespace: string
  readonly name: string
  readonly uid?: string
}

export interface EventRecorder {
  readonly record: (target: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string) => Promise<void>
}

export const eventRecorder = (rest: RestClient, component: string, instance: string, log: Logger): EventRecorder => ({
  record: async (target, type, reason, message) => {
    const now = new Date().toISOString()
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${target.name}.${Date.now().toString(16)}${randomBytes(3).toString('hex')}`, namespace: target.namespace },
      involvedObject: { apiVersion: target.apiVersion, kind: target.kind, namespace: target.namespace, name: target.name, ...(target.uid === undefined ? {} : { uid: target.uid }) },
      type,
      reason,
      message: message.slice(0, 1024),
      source: { component },
      reportingComponent: component,
      reportingInstance: instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    }
    try {
      const res = await rest.request('POST', `/api/v1/namespaces/${target.namespace}/events`, { body, timeoutMs: 5_000 })
      if (res.status >= 300) log.warn('event-not-recorded', { reason, status: res.status, object: `${target.namespace}/${target.name}` })
    } catch (err) {
      log.warn('event-not-recorded', { reason, error: err, object: `${target.namespace}/${target.name}` })
    }
  },
})
