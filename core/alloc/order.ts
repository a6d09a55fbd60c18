// The order Services are processed in, which decides who wins a contested address. Services already
// holding IPs come first, so a restart or resync keeps every assignment (MetalLB's reprocessAll sorts
// the Services with ingress IPs first for the same reason); then older Services (creationTimestamp,
// a missing one last), then namespace/name, so the order never depends on how the input was listed.
import type { Service } from '../model/service.js'

export interface SortKey {
  readonly holds: boolean
  /** RFC 3339 text, normalised by the decoder so that text order is time order. */
  readonly created: string | undefined
  readonly key: string
}

export const sortKeyOf = (svc: Service): SortKey => ({
  holds: svc.ingressIPs.length > 0,
  created: svc.creationTimestamp,
  key: svc.key,
})

// Compares fields rather than one concatenated string: building 100,000 such strings (and
// flattening them on first comparison) costs more than the comparisons themselves.
export const compareSortKeys = (a: SortKey, b: SortKey): number => {
  if (a.holds !== b.holds) return a.holds ? -1 : 1
  if (a.created !== b.created) {
    if (a.created === undefined) return 1
    if (b.created === undefined) return -1
    return a.created < b.created ? -1 : 1
  }
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0
}
