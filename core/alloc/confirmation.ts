// When an update of a Service is only the controller writing back what phase 2 just gave it: the
// same Service, its ingress now exactly those IPs, still allowed as held IPs (same pool) and not a
// PreferDualStack upgrade. A full plan of the new snapshot then gives every Service what it had:
// the Service becomes a holder of addresses it already occupied, everyone else either did not want
// them or could share them, and refusals are worded at the end of the pass. So the engine moves the
// Service to phase 1 in O(1) instead of replaying phase 2, which matters while a fresh cluster's
// 100,000 statuses are being written.
import type { Service } from '../model/service.js'
import type { ServiceOutcome } from './outcome.js'
import type { Active } from './prepare.js'
import { sameExceptIngress } from './sameSpec.js'

export const confirmsAllocation = (was: Service, outcome: ServiceOutcome | undefined, now: Service, active: Active | undefined): boolean => {
  const held = active?.held
  if (outcome?._tag !== 'Assigned' || held === undefined || active?.upgrade !== false) return false
  if (held.pool.name !== outcome.pool || held.ips.length !== outcome.ips.length) return false
  if (!held.ips.every((ip, i) => ip.family === outcome.ips[i]?.family && ip.value === outcome.ips[i]?.value)) return false
  return sameExceptIngress(was, now)
}
