// The ConfigurationState publisher on a recording RestClient: a POST (409 is fine) then a status
// PATCH with result, errorSummary and (a speaker's) conditions; nothing when nothing changed; a call
// made while a write is in flight is published right after it, the latest call winning; a failed
// write is warned about and retried by the next call with the same content.
import t from 'tap'
import { configStatePublisher, speakerReporter } from '../../../shell/kube/configState.js'
import type { RestClient, RestResponse } from '../../../shell/kube/rest.js'
import { jsonLogger } from '../../../shell/obs/log.js'
import type { Condition } from '../../../core/model/serviceShown.js'
import type { ConfigError } from '../../../core/model/config.js'

interface Call {
  readonly method: string
  readonly path: string
  readonly body: unknown
}

/** Records every request; each PATCH waits for `release` when held, and answers `patchStatus`. */
const recordingRest = () => {
  const calls: Call[] = []
  let held: Promise<void> | undefined
  let release: () => void = () => undefined
  const rest = {
    patchStatus: 200,
    hold: () => {
      held = new Promise((r) => (release = r))
    },
    release: () => {
      held = undefined
      release()
    },
    calls,
    client: {
      request: async (method: string, path: string, options?: { body?: unknown }): Promise<RestResponse> => {
        calls.push({ method, path, body: options?.body })
        if (method === 'PATCH' && held !== undefined) await held
        return { status: method === 'POST' ? 409 : rest.patchStatus, body: {} } as RestResponse
      },
      stream: async () => undefined,
      close: () => undefined,
    } as unknown as RestClient,
  }
  return rest
}

const condition = (status: 'True' | 'False'): Condition => ({ type: 'bgp-session.ironlb.io/tor', status, reason: status === 'True' ? 'Established' : 'Active', message: '', lastTransitionTime: '2026-12-03T12:00:00Z' })
const patches = (calls: readonly Call[]) => calls.filter((c) => c.method === 'PATCH').map((c) => (c.body as { status: unknown }).status)
const typo: ConfigError = { kind: 'IPAddressPool', namespace: 'ns', name: 'p', field: 'spec.addresses[0]', message: 'not a CIDR' } as ConfigError

t.test('writes once per change, a speaker\'s conditions included', async (t) => {
  const r = recordingRest()
  const warned: string[] = []
  const publish = configStatePublisher({ rest: r.client, log: jsonLogger('warn', (l) => void warned.push(l)), events: { record: async () => undefined }, namespace: 'ns' }, speakerReporter('n1'))
  await publish([], [condition('True')])
  await publish([], [condition('True')])
  t.same(r.calls.map((c) => `${c.method} ${c.path}`), ['POST /apis/metallb.io/v1beta1/namespaces/ns/configurationstates', 'PATCH /apis/metallb.io/v1beta1/namespaces/ns/configurationstates/speaker-n1/status'], 'the second, identical call writes nothing')
  t.same(patches(r.calls), [{ result: 'Valid', errorSummary: null, conditions: [condition('True')] }])
  await publish([typo], [condition('True')])
  t.match(patches(r.calls).at(-1), { result: 'Invalid', errorSummary: /IPAddressPool ns\/p: spec.addresses\[0\]: not a CIDR/ })
  t.same(warned, [])
})

t.test('a call during a write is published right after it, the latest winning', async (t) => {
  const r = recordingRest()
  const publish = configStatePublisher({ rest: r.client, log: jsonLogger('none', () => undefined), events: { record: async () => undefined }, namespace: 'ns' }, speakerReporter('n1'))
  r.hold()
  const first = publish([], [condition('True')])
  await new Promise((res) => setImmediate(res))
  void publish([], [condition('False')])
  const third = publish([typo], [condition('False')])
  r.release()
  await Promise.all([first, third])
  t.same(patches(r.calls).map((s) => [(s as { result: string }).result, (s as { conditions: Condition[] }).conditions[0]?.status]), [['Valid', 'True'], ['Invalid', 'False']], 'the one in flight, then only the latest')
})

t.test('a failed write is warned about and the same content retried on the next call', async (t) => {
  const r = recordingRest()
  const warned: string[] = []
  const publish = configStatePublisher({ rest: r.client, log: jsonLogger('warn', (l) => void warned.push(l)), events: { record: async () => undefined }, namespace: 'ns' }, speakerReporter('n1'))
  r.patchStatus = 500
  await publish([], [])
  t.match(warned.join(''), /config-state-not-published/)
  r.patchStatus = 200
  await publish([], [])
  t.equal(patches(r.calls).length, 2, 'written again')
})
