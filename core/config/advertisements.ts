// L2Advertisement and BGPAdvertisement objects to core/model/advertisement.ts. Pool selection is
// resolved here against the config's pools, as MetalLB's setL2AdvertisementsToPools and
// setBGPAdvertisementsToPools do: no names and no selectors means every pool; a named pool that
// does not exist is skipped silently (MetalLB does not treat it as an error, so a pool and its
// advertisement can be applied in either order). Rules that look at several objects at once
// (aggregation against pool blocks, LOCAL_PREF conflicts) are in bgpChecks.ts.
import type { BGPAdvertisement, L2Advertisement, PreferredNodeSelector } from '../model/advertisement.js'
import { type BGPCommunity, communityEquals, compareCommunity } from '../model/community.js'
import { type PoolName, asPoolName } from '../model/names.js'
import type { Pool } from '../model/pool.js'
import { type LabelSelector, anySelectorMatches } from '../model/selector.js'
import { absurd } from '../fp/absurd.js'
import { AGGREGATION_LENGTH, AGGREGATION_LENGTH_V6, AS_PATH_PREPEND, type BGPAdvertisementWire, LOCAL_PREF } from './bgpAdvertisementCodec.js'
import type { AliasTable } from './communities.js'
import { parseCommunity } from './communityValue.js'
import { type Report, byText, reportDuplicates } from './issues.js'
import { type L2AdvertisementWire, PREFERENCE_WEIGHT } from './l2AdvertisementCodec.js'
import { selectorFrom, selectorsFrom } from './selector.js'

const resolvePools = (
  names: readonly string[],
  selectors: readonly LabelSelector[],
  pools: ReadonlyMap<PoolName, Pool>,
): PoolName[] => {
  if (names.length === 0 && selectors.length === 0) return [...pools.keys()].sort(byText)
  const chosen = new Set<PoolName>()
  for (const name of names) if (pools.has(asPoolName(name))) chosen.add(asPoolName(name))
  for (const pool of pools.values()) if (anySelectorMatches(selectors, pool.labels)) chosen.add(pool.name)
  return [...chosen].sort(byText)
}

/**
 * Weights outside 1..100 are refused, as MetalLB's CRD does; each preference is a label selector
 * checked like any other. The same preference given twice is not an error: both weights count, as
 * with PreferredSchedulingTerm.
 */
const preferencesFrom = (
  wire: NonNullable<NonNullable<L2AdvertisementWire['spec']>['preferredNodeSelectors']>,
  report: Report,
): PreferredNodeSelector[] =>
  wire.map((p, i) => {
    const path = `spec.preferredNodeSelectors[${i}]`
    if (p.weight < PREFERENCE_WEIGHT.min || p.weight > PREFERENCE_WEIGHT.max)
      report(`${path}.weight`, `${p.weight} is outside ${PREFERENCE_WEIGHT.min}..${PREFERENCE_WEIGHT.max}`)
    return { weight: p.weight, preference: selectorFrom(p.preference, `${path}.preference`, report) }
  })

export const l2AdvertisementFrom = (
  wire: L2AdvertisementWire,
  pools: ReadonlyMap<PoolName, Pool>,
  report: Report,
): L2Advertisement => {
  const spec = wire.spec ?? {}
  const names = spec.ipAddressPools ?? []
  reportDuplicates(names, 'spec.ipAddressPools', 'pool', report)
  const poolSelectors = selectorsFrom(spec.ipAddressPoolSelectors, 'spec.ipAddressPoolSelectors', report)
  return {
    name: wire.metadata.name,
    pools: resolvePools(names, poolSelectors, pools),
    nodeSelectors: selectorsFrom(spec.nodeSelectors, 'spec.nodeSelectors', report),
    interfaces: spec.interfaces ?? [],
    serviceSelectors: selectorsFrom(spec.serviceSelectors, 'spec.serviceSelectors', report),
    preferredNodeSelectors: preferencesFrom(spec.preferredNodeSelectors ?? [], report),
  }
}

/** A BGPAdvertisement and what bgpChecks.ts needs to report against it. */
export interface BGPAdvertisementDraft {
  readonly adv: BGPAdvertisement
  readonly report: Report
}

const communitiesFrom = (
  texts: readonly string[],
  aliases: AliasTable,
  report: Report,
): BGPCommunity[] => {
  reportDuplicates(texts, 'spec.communities', 'community', report)
  const values: BGPCommunity[] = []
  texts.forEach((text, i) => {
    const field = `spec.communities[${i}]`
    // An alias wins over community syntax, as in MetalLB's getCommunityValue.
    const alias = aliases.values.get(text)
    if (alias !== undefined) {
      values.push(alias)
      return
    }
    if (aliases.defined.has(text)) return // an alias whose value is broken: reported on its Community
    const parsed = parseCommunity(text)
    switch (parsed._tag) {
      case 'Community':
        values.push(parsed.value)
        return
      case 'BadValue':
        report(field, parsed.message)
        return
      case 'NotCommunitySyntax':
        report(field, `${JSON.stringify(text)} is neither a community ("65000:100", "large:65000:1:2") nor an alias defined by a Community object`)
        return
      default:
        absurd(parsed)
    }
  })
  values.sort(compareCommunity)
  return values.filter((c, i) => i === 0 || !communityEquals(c, values[i - 1] ?? c))
}

const lengthFrom = (
  value: number | undefined,
  bounds: { readonly min: number; readonly max: number; readonly default: number },
  field: string,
  report: Report,
): number => {
  if (value === undefined) return bounds.default
  if (value < bounds.min || value > bounds.max) report(field, `${value} is outside ${bounds.min}..${bounds.max}`)
  return value
}

export const bgpAdvertisementFrom = (
  wire: BGPAdvertisementWire,
  pools: ReadonlyMap<PoolName, Pool>,
  aliases: AliasTable,
  report: Report,
): BGPAdvertisementDraft => {
  const spec = wire.spec ?? {}
  const names = spec.ipAddressPools ?? []
  reportDuplicates(names, 'spec.ipAddressPools', 'pool', report)
  const peers = spec.peers ?? []
  reportDuplicates(peers, 'spec.peers', 'peer', report)
  const poolSelectors = selectorsFrom(spec.ipAddressPoolSelectors, 'spec.ipAddressPoolSelectors', report)
  const serviceSelectors = selectorsFrom(spec.serviceSelectors, 'spec.serviceSelectors', report)
  const aggregationLength = lengthFrom(spec.aggregationLength, AGGREGATION_LENGTH, 'spec.aggregationLength', report)
  const aggregationLengthV6 = lengthFrom(spec.aggregationLengthV6, AGGREGATION_LENGTH_V6, 'spec.aggregationLengthV6', report)
  // MetalLB: with serviceSelectors, aggregation is refused (a shared prefix would announce other
  // Services' addresses too); the defaults, which aggregate nothing, are fine.
  if (serviceSelectors.length > 0 && aggregationLength !== AGGREGATION_LENGTH.default)
    report('spec.aggregationLength', `cannot aggregate (${aggregationLength}) when serviceSelectors are set: leave it at ${AGGREGATION_LENGTH.default}`)
  if (serviceSelectors.length > 0 && aggregationLengthV6 !== AGGREGATION_LENGTH_V6.default)
    report('spec.aggregationLengthV6', `cannot aggregate (${aggregationLengthV6}) when serviceSelectors are set: leave it at ${AGGREGATION_LENGTH_V6.default}`)
  const localPref = spec.localPref ?? LOCAL_PREF.default
  if (localPref < LOCAL_PREF.min || localPref > LOCAL_PREF.max)
    report('spec.localPref', `${localPref} is outside ${LOCAL_PREF.min}..${LOCAL_PREF.max}`)
  // Unset means no prepending; when set, MetalLB's CRD takes 1..10 only.
  const asPathPrepend = spec.asPathPrepend ?? 0
  if (spec.asPathPrepend !== undefined && (asPathPrepend < AS_PATH_PREPEND.min || asPathPrepend > AS_PATH_PREPEND.max))
    report('spec.asPathPrepend', `${asPathPrepend} is outside ${AS_PATH_PREPEND.min}..${AS_PATH_PREPEND.max}`)
  const adv: BGPAdvertisement = {
    name: wire.metadata.name,
    pools: resolvePools(names, poolSelectors, pools),
    aggregationLength,
    aggregationLengthV6,
    localPref,
    asPathPrepend,
    communities: communitiesFrom(spec.communities ?? [], aliases, report),
    nodeSelectors: selectorsFrom(spec.nodeSelectors, 'spec.nodeSelectors', report),
    peers,
    serviceSelectors,
  }
  return { adv, report }
}
