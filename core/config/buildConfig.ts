// The one entry point from MetalLB configuration objects to a trusted Config (core/model/config.ts).
// Pure: a list of already-parsed objects in, a Valid config or every error out. Objects of other
// kinds or other namespaces are skipped; the caller decodes those (core/cluster). Each object is
// decoded and checked on its own first, then the rules between objects run on what decoded, so a
// broken object never hides another object's errors.
import { type ConfigKind, CONFIG_KIND_DEFS } from '../crd/catalog.js'
import type { BGPAdvertisement, L2Advertisement } from '../model/advertisement.js'
import type { BFDProfile } from '../model/bfdProfile.js'
import type { BGPPeer } from '../model/bgpPeer.js'
import type { ConfigError, ConfigResult } from '../model/config.js'
import type { PoolName } from '../model/names.js'
import type { Pool } from '../model/pool.js'
import { type BGPAdvertisementDraft, bgpAdvertisementFrom, l2AdvertisementFrom } from './advertisements.js'
import { bfdProfileFrom } from './bfd.js'
import { checkAggregation, checkBfdEcho, checkLocalPref } from './bgpChecks.js'
import { aliasesFrom } from './communities.js'
import { type Origin, type Report, byText, reporterFor } from './issues.js'
import { type DecodedObject, classifyObject } from './objects.js'
import { type PoolDraft, poolFrom, reportOverlaps } from './pools.js'
import { type PeerDraft, checkPasswordSecrets, checkPeersOnSharedNodes, secretFactsOf } from './peerChecks.js'
import { peerFrom } from './peers.js'

interface BuildOptions {
  /** The namespace MetalLB runs in; callers default it to "metallb-system". */
  readonly namespace: string
  /**
   * The Secrets of that namespace, for the passwordSecret rules, when the caller sees them;
   * undefined leaves those rules out (peerChecks.ts says why).
   */
  readonly secrets?: readonly unknown[]
}

/** Errors are reported in the catalog's order of kinds. */
const KIND_ORDER: readonly ConfigKind[] = CONFIG_KIND_DEFS.map((k) => k.kind)

const kindRank = (kind: string): number => {
  const i = (KIND_ORDER as readonly string[]).indexOf(kind)
  return i < 0 ? -1 : i
}

type Of<K extends DecodedObject['_tag']> = Extract<DecodedObject, { _tag: K }> & { readonly report: Report }

const byName = <A extends { readonly origin: Origin }>(a: A, b: A): number => byText(a.origin.name, b.origin.name)

/** Errors grouped by kind then object name; within an object, in the order they were found. */
const sortErrors = (errors: readonly ConfigError[]): ConfigError[] =>
  errors
    .map((e, i) => ({ e, i }))
    .sort((a, b) => kindRank(a.e.kind) - kindRank(b.e.kind) || byText(a.e.kind, b.e.kind) || byText(a.e.name, b.e.name) || a.i - b.i)
    .map(({ e }) => e)

export const buildConfig = (objects: readonly unknown[], options: BuildOptions): ConfigResult => {
  const errors: ConfigError[] = []
  const decoded: DecodedObject[] = []
  /** Names of every config object per kind, decodable or not, for duplicate and reference checks. */
  const named = new Map<string, Set<string>>()
  objects.forEach((raw, index) => {
    const c = classifyObject(raw, index, options.namespace)
    if (c._tag === 'Ignored') return
    const origin = c._tag === 'Broken' ? c.origin : c.object.origin
    const seen = named.get(origin.kind) ?? new Set<string>()
    named.set(origin.kind, seen)
    if (seen.has(origin.name)) {
      reporterFor(origin, errors)('metadata.name', `another ${origin.kind} named "${origin.name}" is already defined in ${origin.namespace}`)
      return
    }
    seen.add(origin.name)
    if (c._tag === 'Broken') errors.push(...c.errors)
    else decoded.push(c.object)
  })
  const withReport = <K extends DecodedObject['_tag']>(tag: K): Of<K>[] =>
    decoded
      .filter((o): o is Extract<DecodedObject, { _tag: K }> => o._tag === tag)
      .map((o) => ({ ...o, report: reporterFor(o.origin, errors) }))
      .sort(byName)

  // Pools first: advertisements resolve against them.
  const poolDrafts: PoolDraft[] = withReport('IPAddressPool').map((o) => poolFrom(o.wire, o.report))
  reportOverlaps(poolDrafts)
  const draftsByName = new Map<string, PoolDraft>(poolDrafts.map((d) => [d.pool.name, d]))
  const pools = new Map<PoolName, Pool>(poolDrafts.map((d) => [d.pool.name, d.pool]))

  const bfdProfiles = new Map<string, BFDProfile>(
    withReport('BFDProfile').map((o) => [o.origin.name, bfdProfileFrom(o.wire, o.report)] as const),
  )
  const aliases = aliasesFrom(withReport('Community'))
  const bfdNames = named.get('BFDProfile') ?? new Set<string>()
  const peerDrafts: PeerDraft[] = withReport('BGPPeer').flatMap((o) => {
    // MetalLB converts a v1beta1 peer's missing holdTime to 0, which any keepalive then exceeds.
    if (o.keepaliveOnly)
      o.report('spec.keepaliveTime', `${JSON.stringify(o.spec.keepaliveTime)} needs a holdTime in a v1beta1 BGPPeer (v1beta1 reads a missing holdTime as 0); set holdTime, or use metallb.io/v1beta2`)
    const peer = peerFrom(o.origin.name, o.spec, bfdNames, o.report)
    return peer === undefined ? [] : [{ peer, report: o.report }]
  })
  checkPeersOnSharedNodes(peerDrafts)
  checkPasswordSecrets(peerDrafts, options.namespace, options.secrets === undefined ? undefined : secretFactsOf(options.secrets, options.namespace))
  const bgpPeers: BGPPeer[] = peerDrafts.map((d) => d.peer)
  const l2Advertisements: L2Advertisement[] = withReport('L2Advertisement').map((o) => l2AdvertisementFrom(o.wire, pools, o.report))
  const bgpDrafts: BGPAdvertisementDraft[] = withReport('BGPAdvertisement').map((o) =>
    bgpAdvertisementFrom(o.wire, pools, aliases, o.report),
  )
  checkAggregation(bgpDrafts, draftsByName)
  checkLocalPref(bgpDrafts, draftsByName)
  checkBfdEcho(bgpDrafts, draftsByName, bgpPeers, bfdProfiles)
  const bgpAdvertisements: BGPAdvertisement[] = bgpDrafts.map((d) => d.adv)

  if (errors.length > 0) return { _tag: 'Invalid', errors: sortErrors(errors) }
  return {
    _tag: 'Valid',
    config: { pools, l2Advertisements, bgpAdvertisements, bgpPeers, bfdProfiles, communities: aliases.values },
  }
}
