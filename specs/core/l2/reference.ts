// A reference for Layer 2 ownership, written straight from the rules with nothing shared with
// core/l2: selectors and SHA-256 come from core/model and core/crypto, every list is scanned, every
// candidate is hashed and the lot sorted. Deliberately slow and simple; the planner must agree.
import { toHex } from '../../../core/crypto/hex.js'
import { sha256Text } from '../../../core/crypto/sha256.js'
import type { L2Advertisement } from '../../../core/model/advertisement.js'
import type { Node } from '../../../core/model/node.js'
import { anySelectorMatches, selectorMatches } from '../../../core/model/selector.js'
import type { Service } from '../../../core/model/service.js'
import { type IP, formatIP } from '../../../core/net/address.js'
import { rangeContains } from '../../../core/net/range.js'
import type { L2Input } from '../../../core/l2/plan.js'

export type RefOutcome = { readonly owner: string; readonly interfaces: string } | { readonly reason: string }

const selects = (ad: L2Advertisement, node: Node): boolean => ad.nodeSelectors.length === 0 || anySelectorMatches(ad.nodeSelectors, node.labels)

export const referenceOwner = (input: L2Input, svc: Service): RefOutcome => {
  if (svc.type !== 'LoadBalancer') return { reason: 'NotLoadBalancer' }
  if (svc.loadBalancerClass !== input.loadBalancerClass) return { reason: 'OtherLoadBalancerClass' }
  const ips: readonly IP[] = input.assigned.get(svc.key) ?? []
  if (ips.length === 0) return { reason: 'NoIP' }
  const pool = [...input.config.pools.values()].find((p) => ips.every((ip) => p.ranges.some((r) => rangeContains(r, ip))))
  if (pool === undefined) return { reason: 'IPNotInPool' }
  const ads = input.config.l2Advertisements.filter(
    (ad) => ad.pools.includes(pool.name) && (ad.serviceSelectors.length === 0 || anySelectorMatches(ad.serviceSelectors, svc.labels)),
  )
  if (ads.length === 0) return { reason: 'NoMatchingAdvertisement' }
  const serving = input.endpointSlices.filter((s) => s.service === svc.key).flatMap((s) => s.endpoints.filter((e) => e.ready || e.serving))
  if (serving.length === 0) return { reason: 'NoEndpoints' }
  const eligible = input.nodes.filter(
    (n) =>
      input.live.has(n.name) &&
      !n.networkUnavailable &&
      (!n.excludedFromLoadBalancers || input.ignoreExcludeLB === true) &&
      ads.some((ad) => selects(ad, n)) &&
      (svc.externalTrafficPolicy !== 'Local' || serving.some((e) => e.nodeName === n.name)),
  )
  if (eligible.length === 0) return { reason: 'NoEligibleNode' }
  const score = (n: Node): number =>
    ads.filter((ad) => selects(ad, n)).reduce((sum, ad) => sum + ad.preferredNodeSelectors.filter((p) => selectorMatches(p.preference, n.labels)).reduce((s, p) => s + p.weight, 0), 0)
  const key = formatIP(ips[0] as IP)
  const ranked = eligible
    .map((n) => ({ name: n.name as string, score: score(n), hash: toHex(sha256Text(`${n.name}#${key}`)) }))
    .sort((a, b) => b.score - a.score || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0))
  const owner = ranked[0]?.name ?? ''
  const ownerNode = eligible.find((n) => n.name === owner) as Node
  const mine = ads.filter((ad) => selects(ad, ownerNode))
  const interfaces = mine.some((ad) => ad.interfaces.length === 0) ? '*' : [...new Set(mine.flatMap((ad) => ad.interfaces))].sort().join('+')
  return { owner, interfaces }
}
