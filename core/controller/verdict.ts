// The planner's outcome for a Service, as the controller writes and reports it: IPs as text, the
// reason tokens kept. The one place an outcome becomes a Verdict (status, simulate, logs).
import { absurd } from '../fp/absurd.js'
import type { ServiceOutcome } from '../alloc/outcome.js'
import { formatIP } from '../net/address.js'
import type { Verdict } from './serviceStatus.js'

export const verdictOf = (o: ServiceOutcome): Verdict => {
  switch (o._tag) {
    case 'Assigned':
      return { _tag: 'Assigned', ips: o.ips.map(formatIP), pool: o.pool }
    case 'Pending':
      return { _tag: 'Pending', reason: o.reason, message: o.message }
    case 'Ignored':
      return { _tag: 'Ignored', reason: o.reason, message: o.message }
    default:
      return absurd(o)
  }
}
