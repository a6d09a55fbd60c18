// Who holds each IP, in the two views a pass compares before it lets a Service take an IP: the
// plan (what the verdicts assign) and what the API server shows now, counting only the IPs this
// controller answers for (answeredIPs), so another class's Service never holds up one of ours.
import { type ServiceState, type Verdict, answeredIPs } from './serviceStatus.js'
import { type Holders, holdersOf } from './writeOrder.js'

/** ip -> the Services the verdicts assign it to. */
export const plannedHolders = (verdicts: ReadonlyMap<string, Verdict>): Holders =>
  holdersOf([...verdicts].map(([key, v]) => ({ key, ips: v._tag === 'Assigned' ? v.ips : [] })))

/**
 * ip -> the Services that show it now and that this controller may take it from. With `only`, just
 * those IPs: a pass asks about the few its acquisitions add, and a Service showing none of them is
 * passed over before its verdict is looked up (the whole map was most of a pass at 10,000 Services).
 */
export const answeredHolders = (services: Iterable<ServiceState>, verdicts: ReadonlyMap<string, Verdict>, only?: ReadonlySet<string>): Holders => {
  const wanted = (ip: string): boolean => only === undefined || only.has(ip)
  const held: { key: string; ips: readonly string[] }[] = []
  for (const state of services) {
    if (!state.ingressIPs.some(wanted)) continue
    const verdict = verdicts.get(state.key)
    if (verdict !== undefined) held.push({ key: state.key, ips: answeredIPs(state, verdict).filter(wanted) })
  }
  return holdersOf(held)
}
