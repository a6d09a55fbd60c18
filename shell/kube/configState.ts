// Reports the configuration's health where MetalLB v0.16 does: a ConfigurationState per component
// (`controller`, `speaker-<node>`; result Valid/Invalid, errorSummary), plus a Warning Event on each
// offending object, once per change of the error set (not on every pass). A speaker's also carries a
// condition per BGP session (core/speaker/sessionConditions.ts).
import { CONFIGURATION_STATE_LABELS as LABELS } from '../../core/config/statusCodecs.js'
import type { ConfigError } from '../../core/model/config.js'
import type { Condition } from '../../core/model/serviceShown.js'
import type { Logger } from '../obs/log.js'
import type { EventRecorder } from './events.js'
import type { RestClient } from './rest.js'

interface ConfigStateDeps {
  readonly rest: RestClient
  readonly log: Logger
  readonly events: EventRecorder
  readonly namespace: string
}

/** Who reports: the object's name and MetalLB's labels for it. */
interface Reporter {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  /** Only one component should raise Events on the objects (the controller). */
  readonly raiseEvents: boolean
}

const CONTROLLER_REPORTER: Reporter = { name: 'controller', labels: { [LABELS.componentType]: 'controller' }, raiseEvents: true }
export const speakerReporter = (node: string): Reporter => ({
  name: `speaker-${node}`,
  labels: { [LABELS.componentType]: 'speaker', [LABELS.nodeName]: node },
  raiseEvents: false,
})

const summarise = (errors: readonly ConfigError[]): string =>
  errors.map((e) => `${e.kind} ${e.namespace}/${e.name}: ${e.field}: ${e.message}`).join('; ')

type Publish = (errors: readonly ConfigError[], conditions?: readonly Condition[]) => Promise<void>

/**
 * Publishes when what it would write changed. One write at a time: a call made during a write is
 * published right after it (the latest call wins), so a change is never lost to a write in flight.
 */
export const configStatePublisher = (deps: ConfigStateDeps, reporter: Reporter = CONTROLLER_REPORTER): Publish => {
  let published: string | undefined
  let latest: { readonly errors: readonly ConfigError[]; readonly conditions: readonly Condition[] | undefined } | undefined
  let writing: Promise<void> | undefined
  const base = `/apis/metallb.io/v1beta1/namespaces/${deps.namespace}/configurationstates`
  const publishOnce = async (errors: readonly ConfigError[], conditions: readonly Condition[] | undefined): Promise<void> => {
    const result = errors.length === 0 ? 'Valid' : 'Invalid'
    const errorSummary = summarise(errors)
    const fingerprint = JSON.stringify([result, errorSummary, conditions])
    if (fingerprint === published) return
    try {
      const created = await deps.rest.request('POST', base, {
        body: {
          apiVersion: 'metallb.io/v1beta1',
          kind: 'ConfigurationState',
          metadata: { name: reporter.name, namespace: deps.namespace, labels: reporter.labels },
        },
      })
      if (created.status >= 300 && created.status !== 409) throw new Error(`create ConfigurationState: HTTP ${created.status}`)
      const patched = await deps.rest.request('PATCH', `${base}/${reporter.name}/status`, {
        contentType: 'application/merge-patch+json',
        body: { status: { result, errorSummary: errorSummary === '' ? null : errorSummary, ...(conditions === undefined ? {} : { conditions }) } },
      })
      if (patched.status >= 300) throw new Error(`update ConfigurationState status: HTTP ${patched.status}`)
      if (reporter.raiseEvents)
        for (const e of errors)
        await deps.events.record(
          { apiVersion: e.kind === 'BGPPeer' ? 'metallb.io/v1beta2' : 'metallb.io/v1beta1', kind: e.kind, namespace: e.namespace, name: e.name },
          'Warning',
          'InvalidConfiguration',
          `${e.field}: ${e.message}`,
        )
      published = fingerprint
    } catch (err) {
      deps.log.warn('config-state-not-published', { error: err })
    }
  }
  // Clears `writing` in the same tick as its last look at `latest`, so no call falls between the two.
  const drain = async (): Promise<void> => {
    for (let next = latest; next !== undefined; next = latest) {
      latest = undefined
      await publishOnce(next.errors, next.conditions)
    }
    writing = undefined
  }
  return (errors, conditions) => {
    latest = { errors, conditions }
    writing ??= drain()
    return writing
  }
}
