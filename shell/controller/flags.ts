// The controller binary's flags and env, as MetalLB's controller reads them, checked into settings or
// a clear error naming the flag: bad input never reaches the wiring.
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { parseArgs } from '../cli/args.js'
import { type LogLevel, isLogLevel } from '../obs/log.js'
import { OBSERVABILITY_FLAGS, observabilitySettings } from '../obs/observability.js'
import { WEBHOOK_FLAGS, webhookSettings } from '../webhook/flags.js'

const FLAGS = ['ml-secret-name', 'namespace', 'lb-class', 'log-level', ...OBSERVABILITY_FLAGS, 'kubeconfig', 'pod-name', 'lease-name', 'lease-duration', 'renew-deadline', 'retry-period', ...WEBHOOK_FLAGS]

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace'

type Result<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: string }

const secondsFlag = (text: string | undefined, fallback: number, name: string): Result<number> => {
  if (text === undefined) return { ok: true, value: fallback }
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text)
  if (m === null) return { ok: false, error: `--${name}: "${text}" is not a duration like 15s or 500ms` }
  return { ok: true, value: Number(m[1]) * (m[2] === 'ms' ? 1 : 1000) }
}

const defaultNamespace = (): string => {
  if (process.env['METALLB_NAMESPACE'] !== undefined && process.env['METALLB_NAMESPACE'] !== '') return process.env['METALLB_NAMESPACE']
  try {
    return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim()
  } catch {
    return 'metallb-system'
  }
}

const leaseTiming = (flag: (name: string) => string | undefined): Result<{ leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number }> => {
  const lease = secondsFlag(flag('lease-duration'), 15_000, 'lease-duration')
  const renew = secondsFlag(flag('renew-deadline'), 10_000, 'renew-deadline')
  const retry = secondsFlag(flag('retry-period'), 2_000, 'retry-period')
  if (!lease.ok) return lease
  if (!renew.ok) return renew
  if (!retry.ok) return retry
  if (renew.value >= lease.value) return { ok: false, error: '--renew-deadline must be shorter than --lease-duration' }
  return { ok: true, value: { leaseDurationMs: lease.value, renewDeadlineMs: renew.value, retryPeriodMs: retry.value } }
}

export const controllerSettings = (argv: readonly string[]) => {
  const parsed = parseArgs(argv, FLAGS)
  if (!parsed.ok) return { ok: false, error: parsed.error } as const
  const flag = (name: string): string | undefined => parsed.args.flags.get(name)
  const level = flag('log-level') ?? 'info'
  if (!isLogLevel(level)) return { ok: false, error: '--log-level must be one of all, debug, info, warn, error, none' } as const
  const timing = leaseTiming(flag)
  if (!timing.ok) return timing
  const obs = observabilitySettings(flag)
  if (!obs.ok) return { ok: false, error: obs.error } as const
  const webhook = webhookSettings(flag)
  if (!webhook.ok) return { ok: false, error: webhook.error } as const
  const lbClass = flag('lb-class')
  const value = {
    level: level as LogLevel,
    namespace: flag('namespace') ?? defaultNamespace(),
    identity: flag('pod-name') ?? process.env['METALLB_POD_NAME'] ?? `${hostname()}-${process.pid}`,
    timing: timing.value,
    obs: obs.value,
    webhook,
    kubeconfig: flag('kubeconfig'),
    leaseName: flag('lease-name') ?? 'ironlb-controller',
    mlSecret: flag('ml-secret-name') ?? process.env['METALLB_ML_SECRET_NAME'],
    lbClass: lbClass === '' ? undefined : lbClass,
  }
  return { ok: true, value } as const
}

export type ControllerSettings = Extract<ReturnType<typeof controllerSettings>, { ok: true }>['value']
