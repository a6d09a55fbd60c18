// The nine metallb.io CRDs IronLB installs, in the order the manifest lists them, and their
// derivation in one call. A problem in any definition fails the whole set: a partial manifest would
// install a cluster that half works.
import * as E from 'fp-ts/lib/Either.js'
import { type CustomResourceDefinition, type KindDef, crdFor } from './crd.js'
import { bfdProfileKind } from './kinds/bfdProfile.js'
import { bgpAdvertisementKind } from './kinds/bgpAdvertisement.js'
import { bgpPeerKind } from './kinds/bgpPeer.js'
import { communityKind } from './kinds/community.js'
import { ipAddressPoolKind } from './kinds/ipAddressPool.js'
import { l2AdvertisementKind } from './kinds/l2Advertisement.js'
import { configurationStateKind, serviceBGPStatusKind, serviceL2StatusKind } from './kinds/statusKinds.js'

export const KINDS: readonly KindDef[] = [
  ipAddressPoolKind,
  l2AdvertisementKind,
  bgpAdvertisementKind,
  bgpPeerKind,
  bfdProfileKind,
  communityKind,
  serviceL2StatusKind,
  serviceBGPStatusKind,
  configurationStateKind,
]

export interface CrdDocument {
  readonly crd: CustomResourceDefinition
  readonly note?: string
}

export const buildCrds = (kinds: readonly KindDef[] = KINDS): E.Either<readonly string[], readonly CrdDocument[]> => {
  const results = kinds.map((k) => E.map((crd: CustomResourceDefinition): CrdDocument => (k.note === undefined ? { crd } : { crd, note: k.note }))(crdFor(k)))
  const problems = results.flatMap((r) => (E.isLeft(r) ? r.left : []))
  return problems.length > 0 ? E.left(problems) : E.right(results.flatMap((r) => (E.isRight(r) ? [r.right] : [])))
}
