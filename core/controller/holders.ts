// Who holds each IP, in the two views a pass compares before it lets a Service take an IP: the
// plan (what the verdicts assign) and what the API server shows now, counting only the IPs this
// controller answers for (answeredIPs), so another class's Service never holds up one of ours.
import { type ServiceState, type Verdict, answeredIPs } from './serviceStatus.js'
import { type Holders, holdersOf } from './writeOrder.js'

/** ip -> the Services the verdicts assign it to. */
export const plannedHolders = (verdicts: ReadonlyMap<string, Verdict>): Holders =>
  holdersOf([...verdicts].map(([key, v]) => ({ key, ips: v._tag === 'Assigned' ? v.ips : [] })))

/** ip -> the Services that show it now and that this controller may take it from. */
export const answeredHolders = (services: Iterable<ServiceState>, verdicts: ReadonlyMap<string, Verdict>): Holders =>
  holdersOf(
    [...services].flatMap((state) => {
      const verdict = verdicts.get(state.key)
      return verdict === undefined ? [] : [{ key: state.key, ips: answeredIPs(state, verdict) }]
    }),
  )
