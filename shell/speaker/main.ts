// Wires the speaker binary: flags and env as MetalLB's speaker reads them (METALLB_NODE_NAME,
// METALLB_HOST, METALLB_NAMESPACE, METALLB_ML_BIND_ADDR, METALLB_ML_BIND_PORT, METALLB_ML_SECRET_KEY_PATH),
// the kubeconfig, the failure detector's key, the speaker loop, metrics and health.
// The stop signals are caught before the slow imports (the Kubernetes client and the speaker itself
// are loaded after, dynamically): stopSignal.ts says why.
import * as E from 'fp-ts/lib/Either.js'
import { parseArgs } from '../cli/args.js'
import { isLogLevel, jsonLogger } from '../obs/log.js'
import { OBSERVABILITY_FLAGS, observabilitySettings, startObservability } from '../obs/observability.js'
import { KEY_MIN_BYTES, refusal } from '../../core/membership/keyRing.js'
import { readKeyFile } from '../membership/keyFile.js'
import { DEFAULT_KEY_GRACE_MS, parseDuration, parseProbeInterval } from '../membership/options.js'
import type { SpeakerOptions } from './speaker.js'
import { catchStopSignal } from '../cli/stopSignal.js'

const FLAGS = ['lb-class', 'node-name', 'namespace', 'kubeconfig', ...OBSERVABILITY_FLAGS, 'log-level', 'memberlist-bind', 'memberlist-port', 'memberlist-key-file', 'memberlist-key-grace', 'memberlist-advertise', 'memberlist-probe-interval', 'memberlist-thread']

const env = (name: string): string | undefined => {
  const v = process.env[name]
  return v === undefined || v === '' ? undefined : v
}

type LogLevel = Parameters<typeof jsonLogger>[0]
type ObservabilitySettings = Extract<ReturnType<typeof observabilitySettings>, { ok: true }>['value']

type Settings = Omit<SpeakerOptions, 'rest' | 'log' | 'metrics' | 'events'> & {
  readonly level: LogLevel
  readonly kubeconfig: string | undefined
  readonly observability: ObservabilitySettings
}

/** Flags, env and the key file, checked; the error names the flag or file. */
const readSettings = (argv: readonly string[]): { ok: true; value: Settings } | { ok: false; error: string } => {
  const parsed = parseArgs(argv, FLAGS)
  if (!parsed.ok) return parsed
  const flag = (name: string): string | undefined => parsed.args.flags.get(name)
  const level = flag('log-level') ?? 'info'
  if (!isLogLevel(level)) return { ok: false, error: '--log-level must be one of all, debug, info, warn, error, none' }
  const node = flag('node-name') ?? env('METALLB_NODE_NAME')
  if (node === undefined) return { ok: false, error: '--node-name (or METALLB_NODE_NAME) is required' }
  const keyFile = flag('memberlist-key-file') ?? env('METALLB_ML_SECRET_KEY_PATH')
  if (keyFile === undefined) return { ok: false, error: '--memberlist-key-file (or METALLB_ML_SECRET_KEY_PATH) is required: speakers authenticate each other with it' }
  const read = readKeyFile(keyFile)
  if (!read.ok) return read
  if (refusal(read.key) !== undefined) return { ok: false, error: `the memberlist key ${keyFile} holds ${read.key.length} bytes; at least ${KEY_MIN_BYTES} are needed` }
  // After the mounted Secret changes, the previous key still signs and verifies this long.
  const grace = parseDuration(flag('memberlist-key-grace') ?? `${DEFAULT_KEY_GRACE_MS}ms`)
  if (E.isLeft(grace)) return { ok: false, error: `--memberlist-key-grace: ${grace.left}` }
  // Not MetalLB's: its memberlist probes once a second. Idle CPU against failover time (options.ts).
  const probeText = flag('memberlist-probe-interval') ?? env('IRONLB_MEMBERLIST_PROBE_INTERVAL')
  const probe = probeText === undefined ? undefined : parseProbeInterval(probeText)
  if (probe !== undefined && E.isLeft(probe)) return { ok: false, error: `--memberlist-probe-interval: ${probe.left}` }
  // The worker (default) keeps a busy main loop from looking dead; main saves its isolate's RSS.
  const thread = flag('memberlist-thread') ?? env('IRONLB_MEMBERLIST_THREAD')
  if (thread !== undefined && thread !== 'main' && thread !== 'worker') return { ok: false, error: '--memberlist-thread must be main or worker' }
  // --host falls back to METALLB_HOST, as MetalLB's speaker does.
  const observability = observabilitySettings(flag, env('METALLB_HOST'))
  if (!observability.ok) return observability
  const lbClass = flag('lb-class')
  return {
    ok: true,
    value: {
      level,
      kubeconfig: flag('kubeconfig'),
      observability: observability.value,
      node,
      namespace: flag('namespace') ?? env('METALLB_NAMESPACE') ?? 'metallb-system',
      ...(lbClass === undefined || lbClass === '' ? {} : { loadBalancerClass: lbClass }),
      membershipKey: read.key,
      membershipKeyFile: keyFile,
      membershipKeyGraceMs: grace.right,
      memberlistBind: flag('memberlist-bind') ?? env('METALLB_ML_BIND_ADDR') ?? '0.0.0.0',
      memberlistPort: Number(flag('memberlist-port') ?? env('METALLB_ML_BIND_PORT') ?? '7946'),
      memberlistAdvertise: flag('memberlist-advertise') ?? env('METALLB_HOST'),
      ...(probe === undefined ? {} : { membershipProbeIntervalMs: probe.right }),
      ...(thread === undefined ? {} : { membershipThread: thread }),
    },
  }
}

export const runSpeaker = async (argv: readonly string[]): Promise<number> => {
  const stop = catchStopSignal()
  const settings = readSettings(argv)
  if (!settings.ok) {
    process.stderr.write(`ironlb speaker: ${settings.error}\n`)
    return 2
  }
  const { level, kubeconfig, observability, ...options } = settings.value
  const log = jsonLogger(level, undefined, { component: 'speaker', node: options.node })
  log.info('speaker-starting', { signals: 'caught' })
  const [{ loadKubeConfig }, { restClient }, { eventRecorder }, { speakerMetrics }, { startSpeaker }] = await Promise.all([
    import('../kube/kubeConfig.js'),
    import('../kube/rest.js'),
    import('../kube/events.js'),
    import('./metrics.js'),
    import('./speaker.js'),
  ])
  const early = stop.received()
  // Stopped before it joined anything: nothing to hand over.
  if (early !== undefined) {
    log.info('speaker-stopping', { signal: early, phase: 'starting' })
    return 0
  }
  const rest = await restClient(loadKubeConfig(kubeconfig))
  const metrics = speakerMetrics(options.node, options.membershipProbeIntervalMs)
  const events = eventRecorder(rest, 'metallb-speaker', options.node, log)
  const speaker = await startSpeaker({ ...options, rest, log, metrics, events })
  const obs = await startObservability(observability, { component: 'speaker', rest, registry: metrics.registry, health: { ready: speaker.ready }, log })
  if (E.isLeft(obs)) {
    log.error('speaker-start-failed', { error: obs.left })
    await speaker.stop(true)
    rest.close()
    return 1
  }
  log.info('speaker-started', { namespace: options.namespace, port: observability.metricsPort })
  // At once when the signal came during the start: the speaker leaves gracefully all the same.
  const signal = await stop.next
  log.info('speaker-stopping', { signal })
  try {
    await speaker.stop(true)
  } finally {
    obs.right.close()
    rest.close()
  }
  return 0
}
