// Which Services the allocator handles at all. MetalLB's controller clears and skips any Service
// that is not `type: LoadBalancer`, and filters by class (filterByLoadBalancerClass): with a class
// configured, only Services of exactly that class; with none, only Services without a class.
import type { Service } from '../model/service.js'
import { type ServiceOutcome, ignored } from './outcome.js'

/** The Ignored outcome for a Service we do not handle, or undefined when we handle it. */
export const ignoredOutcome = (svc: Service, controllerClass: string | undefined): ServiceOutcome | undefined => {
  if (svc.type !== 'LoadBalancer') return ignored('NotLoadBalancer', `service type is ${svc.type}, not LoadBalancer`)
  if (svc.loadBalancerClass === controllerClass) return undefined
  if (controllerClass === undefined)
    return ignored(
      'OtherLoadBalancerClass',
      `loadBalancerClass is "${svc.loadBalancerClass}"; this controller handles only Services without a class`,
    )
  return ignored(
    'OtherLoadBalancerClass',
    svc.loadBalancerClass === undefined
      ? `service has no loadBalancerClass; this controller handles only class "${controllerClass}"`
      : `loadBalancerClass is "${svc.loadBalancerClass}"; this controller handles only class "${controllerClass}"`,
  )
}
