// The controller's whole decision for one pass: from a snapshot of the cluster (the config objects of
// its namespace, the decoded Services and Namespaces) and what it kept from the last pass, everything
// it does: the config it runs on and its ConfigurationState, a verdict with a reason for every
// Service, the Service writes in their safe order, the pool status writes and the figures for metrics.
// `ironlb simulate` calls this too (core/simulate/projection.ts), so what it prints is what the
// controller writes. The shell applies the plan and, between releases and acquisitions, asks
// admitAcquisitions (admit.ts) about the latest copies.
import { planFrom } from '../alloc/incremental.js'
import type { AllocationInput, AllocationPlan } from '../alloc/outcome.js'
import type { AllocationBasis, AllocationState } from '../alloc/plan.js'
import { buildConfig } from '../config/buildConfig.js'
import type { Config } from '../model/config.js'
import type { ServiceKey } from '../model/names.js'
import type { Namespace, Service } from '../model/service.js'
import type { ServiceShown } from '../model/serviceShown.js'
import { type ConfigChoice, type ConfigurationState, chooseConfig, configurationStateOf, runningConfig } from './configChoice.js'
import { type PoolFigures, type PoolStatusWrite, poolFigures, poolStatusWrites } from './poolStatus.js'
import { type PassDerivation, type PassMemo, derivePass } from './passMemo.js'
import type { ServicePlan } from './servicePlan.js'
import type { Verdict } from './serviceStatus.js'

export interface ControllerSnapshot {
  /** The configuration objects of the controller's namespace, as read (IPAddressPools with their status). */
  readonly configObjects: readonly unknown[]
  readonly services: readonly Service[]
  /** Optional: the same Services by key, one LayeredMap line from pass to pass (see AllocationInput). */
  readonly servicesByKey?: AllocationInput['servicesByKey']
  /** What each Service shows now, by key (core/cluster decodes both at once). */
  readonly shown: ReadonlyMap<ServiceKey, ServiceShown>
  readonly namespaces: readonly Namespace[]
}

/** What one pass hands the next. */
export interface ControllerState {
  /** The last config that built without errors: it keeps running while a newer one is invalid. */
  readonly lastValid: Config | undefined
  /** The allocation planned last pass: the next one replans only the Services that changed (core/alloc/incremental.ts). */
  readonly allocation: AllocationState | undefined
  /** What the pass derived per Service from that allocation: the next one redoes only what changed (passMemo.ts). */
  readonly derived: PassMemo | undefined
}

export const initialControllerState: ControllerState = { lastValid: undefined, allocation: undefined, derived: undefined }

interface ControllerEnv {
  /** RFC 3339, seconds precision: lastTransitionTime of the conditions this pass changes. */
  readonly now: string
  /** Where the configuration lives. */
  readonly namespace: string
  /** `--lb-class`; undefined handles only Services without a class. */
  readonly loadBalancerClass: string | undefined
}

interface AllocationDecision {
  readonly plan: AllocationPlan
  /** A full plan (and why) or which Services were replanned: for the log line. */
  readonly basis: AllocationBasis
  /** One per Service of the snapshot: assigned, pending with its reason, or ignored with its reason. */
  readonly verdicts: ReadonlyMap<ServiceKey, Verdict>
  readonly services: ServicePlan
  readonly pools: readonly PoolFigures[]
  readonly poolStatus: readonly PoolStatusWrite[]
}

export interface ControllerPlan {
  readonly config: ConfigChoice
  readonly configurationState: ConfigurationState
  /** Absent while no valid config has been seen: the controller then plans and writes nothing. */
  readonly allocation: AllocationDecision | undefined
}

const allocate = (allocation: AllocationState, snapshot: ControllerSnapshot, derived: PassDerivation): AllocationDecision => ({
  plan: allocation.plan,
  basis: allocation.basis,
  verdicts: derived.verdicts,
  services: derived.services,
  pools: poolFigures(allocation.plan.pools, derived.assigned),
  poolStatus: poolStatusWrites(snapshot.configObjects, allocation.plan.pools),
})

export const reconcileController = (
  snapshot: ControllerSnapshot,
  prior: ControllerState,
  env: ControllerEnv,
): { readonly state: ControllerState; readonly plan: ControllerPlan } => {
  const config = chooseConfig(buildConfig(snapshot.configObjects, { namespace: env.namespace }), prior.lastValid)
  const running = runningConfig(config)
  const allocation =
    running === undefined
      ? undefined
      : planFrom(prior.allocation, {
          config: running,
          services: snapshot.services,
          ...(snapshot.servicesByKey === undefined ? {} : { servicesByKey: snapshot.servicesByKey }),
          namespaces: snapshot.namespaces,
          loadBalancerClass: env.loadBalancerClass,
        })
  const derived = allocation === undefined ? undefined : derivePass(allocation, prior.allocation, prior.derived, snapshot.shown, env.now)
  return {
    state: { lastValid: running, allocation, derived: derived?.memo },
    plan: {
      config,
      configurationState: configurationStateOf(config),
      allocation: allocation === undefined || derived === undefined ? undefined : allocate(allocation, snapshot, derived),
    },
  }
}
