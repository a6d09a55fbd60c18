// BGPAdvertisement rules that look at pools, peers and other advertisements together, after each
// object has been checked on its own. Each follows MetalLB's internal/config:
// - aggregation (validateBGPAdvPerPool): an advertisement may not aggregate wider than a pool's
//   own blocks, i.e. its length must not be shorter than the widest CIDR of any entry it covers;
// - LOCAL_PREF and AS-path prepend (BGPAdvertisementsHaveCompatibleLocalPref and ...AsPathPrepend):
//   two advertisements of one pool may not send different values for the same prefixes to the same
//   peer from the same node;
// - BFD echo (validateConfig): a pool with IPv6 addresses may not be advertised to a peer whose BFD
//   profile has echo mode on.
import type { BFDProfile } from '../model/bfdProfile.js'
import type { BGPPeer } from '../model/bgpPeer.js'
import { type Family, familyBits } from '../net/address.js'
import type { AddressRange } from '../net/range.js'
import type { BGPAdvertisementDraft } from './advertisements.js'
import { AGGREGATION_LENGTH, AGGREGATION_LENGTH_V6 } from './bgpAdvertisementCodec.js'
import { byText } from './issues.js'
import type { PoolDraft } from './pools.js'
import { selectorKey } from './selector.js'

/**
 * Length of the widest CIDR in the range's summary (MetalLB summarises ranges into CIDRs and takes
 * the lowest mask). Greedy from the start: each block is the largest aligned one that still fits.
 */
export const widestBlockLength = (r: AddressRange): number => {
  const bits = familyBits(r.family)
  let widest = bits
  let cur = r.first
  while (cur <= r.last) {
    let size = 0 // log2 of the block size
    while (size < bits) {
      const next = 1n << BigInt(size + 1)
      if ((cur & (next - 1n)) !== 0n || cur + next - 1n > r.last) break
      size++
    }
    widest = Math.min(widest, bits - size)
    cur += 1n << BigInt(size)
  }
  return widest
}

const lengthFor = (d: BGPAdvertisementDraft, family: Family): number =>
  family === 4 ? d.adv.aggregationLength : d.adv.aggregationLengthV6

export const checkAggregation = (ads: readonly BGPAdvertisementDraft[], pools: ReadonlyMap<string, PoolDraft>): void => {
  for (const d of ads)
    for (const poolName of d.adv.pools) {
      const pool = pools.get(poolName)
      if (pool === undefined) continue
      for (const family of [4, 6] as const) {
        const length = lengthFor(d, family)
        // An out-of-range length is already reported on its own; one message per mistake.
        const bounds = family === 4 ? AGGREGATION_LENGTH : AGGREGATION_LENGTH_V6
        if (length < bounds.min || length > bounds.max) continue
        const offending = pool.entries.find((e) => e.range.family === family && length < widestBlockLength(e.range))
        if (offending === undefined) continue
        const field = family === 4 ? 'spec.aggregationLength' : 'spec.aggregationLengthV6'
        const widest = widestBlockLength(offending.range)
        d.report(
          field,
          `${length} aggregates beyond pool "${poolName}": its entry "${offending.range.text}" contains a /${widest}, so the length must be at least ${widest}`,
        )
      }
    }
}

const familiesOf = (pool: PoolDraft): ReadonlySet<Family> => new Set(pool.entries.map((e) => e.range.family))

// isAggrLengthDifferent: announcements of different prefix lengths never compete. With both
// families in the pool, both lengths must differ.
const sameAnnouncements = (a: BGPAdvertisementDraft, b: BGPAdvertisementDraft, families: ReadonlySet<Family>): boolean => {
  if (families.size === 0) return false
  const v4Same = a.adv.aggregationLength === b.adv.aggregationLength
  const v6Same = a.adv.aggregationLengthV6 === b.adv.aggregationLengthV6
  if (!families.has(6)) return v4Same
  if (!families.has(4)) return v6Same
  return v4Same || v6Same
}

const samePeers = (a: BGPAdvertisementDraft, b: BGPAdvertisementDraft): boolean =>
  a.adv.peers.length === 0 || b.adv.peers.length === 0 || a.adv.peers.some((p) => b.adv.peers.includes(p))

// MetalLB intersects the sets of nodes the selectors match in the live cluster. IronLB decides
// from the selectors alone, so a config's validity does not change as nodes come and go: the node
// sets are taken to meet when either side selects every node or both list the same selector.
const sameNodes = (a: BGPAdvertisementDraft, b: BGPAdvertisementDraft): boolean => {
  if (a.adv.nodeSelectors.length === 0 || b.adv.nodeSelectors.length === 0) return true
  const keys = new Set(a.adv.nodeSelectors.map(selectorKey))
  return b.adv.nodeSelectors.some((s) => keys.has(selectorKey(s)))
}

export const checkLocalPref = (ads: readonly BGPAdvertisementDraft[], pools: ReadonlyMap<string, PoolDraft>): void => {
  // Advertisements with serviceSelectors are skipped, as in MetalLB: which Services they cover is
  // not known until Services exist.
  const candidates = ads.filter((d) => d.adv.serviceSelectors.length === 0).sort((a, b) => byText(a.adv.name, b.adv.name))
  const reported = new Set<string>()
  for (const [poolName, pool] of [...pools.entries()].sort(([a], [b]) => byText(a, b))) {
    const families = familiesOf(pool)
    const onPool = candidates.filter((d) => d.adv.pools.includes(pool.pool.name))
    onPool.forEach((later, j) => {
      for (const earlier of onPool.slice(0, j)) {
        const pair = `${earlier.adv.name}\u0000${later.adv.name}`
        const lp = earlier.adv.localPref !== later.adv.localPref
        const prepend = earlier.adv.asPathPrepend !== later.adv.asPathPrepend
        if (reported.has(pair) || (!lp && !prepend)) continue
        if (!sameAnnouncements(earlier, later, families) || !samePeers(earlier, later) || !sameNodes(earlier, later)) continue
        reported.add(pair)
        const same = `both announce pool "${poolName}" with the same prefix length to the same peers from the same nodes`
        if (lp) later.report('spec.localPref', `${later.adv.localPref} conflicts with BGPAdvertisement "${earlier.adv.name}" (localPref ${earlier.adv.localPref}): ${same}`)
        // BGPAdvertisementsHaveCompatibleAsPathPrepend: the same rule for asPathPrepend (0: unset).
        if (prepend)
          later.report('spec.asPathPrepend', `${later.adv.asPathPrepend} conflicts with BGPAdvertisement "${earlier.adv.name}" (asPathPrepend ${earlier.adv.asPathPrepend}): ${same}`)
      }
    })
  }
}

export const checkBfdEcho = (
  ads: readonly BGPAdvertisementDraft[],
  pools: ReadonlyMap<string, PoolDraft>,
  peers: readonly BGPPeer[],
  profiles: ReadonlyMap<string, BFDProfile>,
): void => {
  const echoes = (p: BGPPeer): boolean => p.bfdProfile !== undefined && (profiles.get(p.bfdProfile)?.echoMode ?? false)
  for (const d of ads) {
    const v6Pool = d.adv.pools.find((name) => pools.get(name)?.entries.some((e) => e.range.family === 6) ?? false)
    if (v6Pool === undefined) continue
    const targets = d.adv.peers.length === 0 ? peers : peers.filter((p) => d.adv.peers.includes(p.name))
    for (const peer of targets.filter(echoes)) {
      const i = d.adv.peers.indexOf(peer.name)
      d.report(
        i < 0 ? 'spec.peers' : `spec.peers[${i}]`,
        `peer "${peer.name}" uses BFD profile "${peer.bfdProfile ?? ''}" with echoMode, which does not work for the IPv6 addresses of pool "${v6Pool}"`,
      )
    }
  }
}
