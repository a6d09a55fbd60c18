// The nine metallb.io CRDs IronLB installs, in the order the manifest lists them, and their
// derivation in one call. This is the one list of kinds: configuration (read by the daemons,
// simulate and buildConfig) and status (written for people). A problem in any definition fails the
// whole set: a partial manifest would install a cluster that half works.
import * as E from 'fp-ts/lib/Either.js'
import { type CustomResourceDefinition, type KindDef, crdFor } from './crd.js'
import { bfdProfileKind } from './kinds/bfdProfile.js'
import { bgpAdvertisementKind } from './kinds/bgpAdvertisement.js'
import { bgpPeerKind } from './kinds/bgpPeer.js'
import { communityKind } from './kinds/community.js'
import { ipAddressPoolKind } from './kinds/ipAddressPool.js'
import { l2AdvertisementKind } from './kinds/l2Advertisement.js'
import { configurationStateKind, serviceBGPStatusKind, serviceL2StatusKind } from './kinds/statusKinds.js'

/**
 * The configuration kinds the controller and the speaker read, in the order the manifest lists them
 * and configuration errors are reported. Every other list of config kinds derives from this one.
 */
export const CONFIG_KIND_DEFS = [ipAddressPoolKind, l2AdvertisementKind, bgpAdvertisementKind, bgpPeerKind, bfdProfileKind, communityKind] as const

export type ConfigKind = (typeof CONFIG_KIND_DEFS)[number]['kind']

/** The kinds IronLB writes for people to read: reading them back would change no decision. */
export const STATUS_KIND_DEFS: readonly KindDef[] = [serviceL2StatusKind, serviceBGPStatusKind, configurationStateKind]

export const KINDS: readonly KindDef[] = [...CONFIG_KIND_DEFS, ...STATUS_KIND_DEFS]

const CONFIG_BY_NAME: ReadonlyMap<string, KindDef<ConfigKind>> = new Map(CONFIG_KIND_DEFS.map((k) => [k.kind, k]))
const STATUS_NAMES: ReadonlySet<string> = new Set(STATUS_KIND_DEFS.map((k) => k.kind))

export const isConfigKind = (kind: string): kind is ConfigKind => CONFIG_BY_NAME.has(kind)

export const isStatusKind = (kind: string): boolean => STATUS_NAMES.has(kind)

/** A kind's served versions, the storage version first: the one to read at and to suggest. */
export const servedVersions = (k: KindDef): readonly string[] =>
  [...k.versions.filter((v) => v.storage), ...k.versions.filter((v) => !v.storage)].filter((v) => v.served).map((v) => v.name)

/** A kind's storage version (a CRD has exactly one): every version reads the same objects, this one loses no field. */
export const storageVersion = (k: KindDef): string => servedVersions(k)[0] ?? ''

export interface CrdDocument {
  readonly crd: CustomResourceDefinition
  readonly note?: string
}

export const buildCrds = (kinds: readonly KindDef[] = KINDS): E.Either<readonly string[], readonly CrdDocument[]> => {
  const results = kinds.map((k) => E.map((crd: CustomResourceDefinition): CrdDocument => (k.note === undefined ? { crd } : { crd, note: k.note }))(crdFor(k)))
  const problems = results.flatMap((r) => (E.isLeft(r) ? r.left : []))
  return problems.length > 0 ? E.left(problems) : E.right(results.flatMap((r) => (E.isRight(r) ? [r.right] : [])))
}
