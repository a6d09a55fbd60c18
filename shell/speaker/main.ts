// Wires the speaker binary: flags and env as MetalLB's speaker reads them (METALLB_NODE_NAME,
// METALLB_HOST, METALLB_NAMESPACE, METALLB_ML_BIND_ADDR, METALLB_ML_BIND_PORT, METALLB_ML_SECRET_KEY_PATH),
// the kubeconfig, the failure detector's key, the speaker loop, metrics and health.
import * as E from 'fp-ts/lib/Either.js'
import { KubeConfig } from '@kubernetes/client-node'
import { parseArgs } from '../cli/args.js'
import { eventRecorder } from '../kube/events.js'
import { restClient } from '../kube/rest.js'
import { isLogLevel, jsonLogger } from '../obs/log.js'
import { OBSERVABILITY_FLAGS, observabilitySettings, startObservability } from '../obs/observability.js'
import { KEY_MIN_BYTES, refusal } from '../../core/membership/keyRing.js'
import { readKeyFile } from '../membership/keyFile.js'
import { DEFAULT_KEY_GRACE_MS, parseDuration } from '../membership/options.js'
import { speakerMetrics } from './metrics.js'
import { startSpeaker } from './speaker.js'

const FLAGS = ['lb-class', 'node-name', 'namespace', 'kubeconfig', ...OBSERVABILITY_FLAGS, 'log-level', 'memberlist-bind', 'memberlist-port', 'memberlist-key-file', 'memberlist-key-grace', 'memberlist-advertise']

const env = (name: string): string | undefined => {
  const v = process.env[name]
  return v === undefined || v === '' ? undefined : v
}

export const runSpeaker = async (argv: readonly string[]): Promise<number> => {
  const parsed = parseArgs(argv, FLAGS)
  const fail = (message: string): number => {
    process.stderr.write(`ironlb speaker: ${message}\n`)
    return 2
  }
  if (!parsed.ok) return fail(parsed.error)
  const flag = (name: string): string | undefined => parsed.args.flags.get(name)
  const level = flag('log-level') ?? 'info'
  if (!isLogLevel(level)) return fail('--log-level must be one of all, debug, info, warn, error, none')
  const node = flag('node-name') ?? env('METALLB_NODE_NAME')
  if (node === undefined) return fail('--node-name (or METALLB_NODE_NAME) is required')
  const namespace = flag('namespace') ?? env('METALLB_NAMESPACE') ?? 'metallb-system'
  const keyFile = flag('memberlist-key-file') ?? env('METALLB_ML_SECRET_KEY_PATH')
  if (keyFile === undefined) return fail('--memberlist-key-file (or METALLB_ML_SECRET_KEY_PATH) is required: speakers authenticate each other with it')
  const read = readKeyFile(keyFile)
  if (!read.ok) return fail(read.error)
  if (refusal(read.key) !== undefined) return fail(`the memberlist key ${keyFile} holds ${read.key.length} bytes; at least ${KEY_MIN_BYTES} are needed`)
  const key = read.key
  // After the mounted Secret changes, the previous key still signs and verifies this long.
  const grace = parseDuration(flag('memberlist-key-grace') ?? `${DEFAULT_KEY_GRACE_MS}ms`)
  if (E.isLeft(grace)) return fail(`--memberlist-key-grace: ${grace.left}`)
  // --host falls back to METALLB_HOST, as MetalLB's speaker does.
  const obsSettings = observabilitySettings(flag, env('METALLB_HOST'))
  if (!obsSettings.ok) return fail(obsSettings.error)
  const log = jsonLogger(level, undefined, { component: 'speaker', node })

  const kc = new KubeConfig()
  const kubeconfig = flag('kubeconfig')
  if (kubeconfig !== undefined) kc.loadFromFile(kubeconfig)
  else kc.loadFromDefault()
  const rest = await restClient(kc)
  const metrics = speakerMetrics(node)
  const events = eventRecorder(rest, 'metallb-speaker', node, log)
  const speaker = await startSpeaker({
    rest,
    log,
    metrics,
    events,
    node,
    namespace,
    ...(flag('lb-class') === undefined || flag('lb-class') === '' ? {} : { loadBalancerClass: flag('lb-class') as string }),
    membershipKey: key,
    membershipKeyFile: keyFile,
    membershipKeyGraceMs: grace.right,
    memberlistBind: flag('memberlist-bind') ?? env('METALLB_ML_BIND_ADDR') ?? '0.0.0.0',
    memberlistPort: Number(flag('memberlist-port') ?? env('METALLB_ML_BIND_PORT') ?? '7946'),
    memberlistAdvertise: flag('memberlist-advertise') ?? env('METALLB_HOST'),
  })
  const obs = await startObservability(obsSettings.value, { component: 'speaker', rest, registry: metrics.registry, health: { ready: speaker.ready }, log })
  if (E.isLeft(obs)) {
    log.error('speaker-start-failed', { error: obs.left })
    await speaker.stop(true)
    rest.close()
    return 1
  }
  log.info('speaker-started', { namespace, port: obsSettings.value.metricsPort })

  return new Promise<number>((resolve) => {
    const shutdown = (signal: string, graceful: boolean): void => {
      log.info('speaker-stopping', { signal })
      void speaker.stop(graceful).finally(() => {
        obs.right.close()
        rest.close()
        resolve(0)
      })
    }
    process.once('SIGTERM', () => shutdown('SIGTERM', true))
    process.once('SIGINT', () => shutdown('SIGINT', true))
  })
}
