// Sorting input objects: which are MetalLB configuration (group metallb.io, a config kind, a served
// version) in the namespace being built, and decoding those with their kind's codec. Anything else
// is left to other decoders, silently. An unserved version of a config kind, or the removed
// AddressPool kind, is reported, since the user clearly meant it as configuration.
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { type ConfigKind, CONFIG_KIND_DEFS, isConfigKind, servedVersions } from '../crd/catalog.js'
import { GROUP } from '../crd/crd.js'
import { absurd } from '../fp/absurd.js'
import type { ConfigError } from '../model/config.js'
import { type BFDProfileWire, bfdProfileCodec } from './bfdProfileCodec.js'
import { type BGPAdvertisementWire, bgpAdvertisementCodec } from './bgpAdvertisementCodec.js'
import { type BGPPeerSpecWire, bgpPeerV1beta1Codec, bgpPeerV1beta2Codec, peerSpecFromV1beta1 } from './bgpPeerCodec.js'
import { type CommunityWire, communityCodec } from './communityCodec.js'
import { readableErrors } from './decodeErrors.js'
import { parseGoDuration } from './duration.js'
import { type IPAddressPoolWire, ipAddressPoolCodec } from './ipAddressPoolCodec.js'
import { type Origin, reporterFor } from './issues.js'
import { type L2AdvertisementWire, l2AdvertisementCodec } from './l2AdvertisementCodec.js'

/** Served versions per kind, from the CRD catalog; the first is the one to suggest. */
const SERVED: ReadonlyMap<ConfigKind, readonly string[]> = new Map(CONFIG_KIND_DEFS.map((k) => [k.kind, servedVersions(k)]))

export type DecodedObject =
  | { readonly _tag: 'IPAddressPool'; readonly origin: Origin; readonly wire: IPAddressPoolWire }
  | { readonly _tag: 'L2Advertisement'; readonly origin: Origin; readonly wire: L2AdvertisementWire }
  | { readonly _tag: 'BGPAdvertisement'; readonly origin: Origin; readonly wire: BGPAdvertisementWire }
  /** `keepaliveOnly`: a v1beta1 object with keepaliveTime and no holdTime (MetalLB refuses it). */
  | { readonly _tag: 'BGPPeer'; readonly origin: Origin; readonly spec: BGPPeerSpecWire; readonly keepaliveOnly: boolean }
  | { readonly _tag: 'BFDProfile'; readonly origin: Origin; readonly wire: BFDProfileWire }
  | { readonly _tag: 'Community'; readonly origin: Origin; readonly wire: CommunityWire }

type Classified =
  | { readonly _tag: 'Ignored' }
  /** A config object that could not be decoded: reported, and known by name for references. */
  | { readonly _tag: 'Broken'; readonly origin: Origin; readonly errors: readonly ConfigError[] }
  | { readonly _tag: 'Decoded'; readonly object: DecodedObject }

/** A duration that parses to something other than 0 (a broken one is reported on its own). */
const nonZero = (text: string | undefined): boolean => {
  if (text === undefined) return false
  const d = parseGoDuration(text)
  return E.isRight(d) && d.right !== 0n
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * The API server drops object fields set to null before validating (structural schema pruning),
 * so `ipAddressPools:` with nothing after it means "not set". Array items are kept as they are.
 */
export const dropNulls = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(dropNulls)
  if (!isRecord(u)) return u
  return Object.fromEntries(Object.entries(u).flatMap(([k, v]) => (v === null ? [] : [[k, dropNulls(v)]])))
}

const originOf = (kind: string, metadata: unknown, namespace: string, index: number): Origin => {
  const meta = isRecord(metadata) ? metadata : {}
  const name = typeof meta['name'] === 'string' && meta['name'] !== '' ? meta['name'] : `(unnamed object #${index + 1})`
  const ns = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : namespace
  return { kind, namespace: ns, name }
}

const broken = (origin: Origin, problems: readonly { readonly field: string; readonly message: string }[]): Classified => {
  const errors: ConfigError[] = []
  const report = reporterFor(origin, errors)
  for (const p of problems) report(p.field, p.message)
  return { _tag: 'Broken', origin, errors }
}

const decodeWith = <A>(codec: t.Decoder<unknown, A>, u: unknown, origin: Origin, make: (a: A) => DecodedObject): Classified => {
  const r = codec.decode(u)
  if (E.isLeft(r)) return broken(origin, readableErrors(r.left))
  if (isRecord(u) && isRecord(u['metadata']) && u['metadata']['name'] === '')
    return broken(origin, [{ field: 'metadata.name', message: 'a name is required' }])
  return { _tag: 'Decoded', object: make(r.right) }
}

/**
 * Classifies one input object. `namespace` is the one being built; an object without
 * metadata.namespace is taken to be in it, as `kubectl apply -n <namespace>` would place it.
 */
export const classifyObject = (raw: unknown, index: number, namespace: string): Classified => {
  if (!isRecord(raw) || typeof raw['apiVersion'] !== 'string' || typeof raw['kind'] !== 'string') return { _tag: 'Ignored' }
  const [group, version] = raw['apiVersion'].split('/')
  if (group !== GROUP) return { _tag: 'Ignored' }
  const kind = raw['kind']
  const meta = raw['metadata']
  if (isRecord(meta) && typeof meta['namespace'] === 'string' && meta['namespace'] !== '' && meta['namespace'] !== namespace)
    return { _tag: 'Ignored' }
  const u = dropNulls(raw)
  const origin = originOf(kind, meta, namespace, index)
  if (kind === 'AddressPool')
    return broken(origin, [
      { field: 'kind', message: 'AddressPool is no longer supported by MetalLB: use an IPAddressPool with an L2Advertisement or BGPAdvertisement' },
    ])
  if (!isConfigKind(kind)) return { _tag: 'Ignored' }
  const served = SERVED.get(kind) ?? []
  if (version === undefined || !served.includes(version))
    return broken(origin, [
      { field: 'apiVersion', message: `${raw['apiVersion']} is not a served version of ${kind}: use ${GROUP}/${served[0] ?? ''}` },
    ])
  switch (kind) {
    case 'IPAddressPool':
      return decodeWith(ipAddressPoolCodec, u, origin, (wire) => ({ _tag: kind, origin, wire }))
    case 'L2Advertisement':
      return decodeWith(l2AdvertisementCodec, u, origin, (wire) => ({ _tag: kind, origin, wire }))
    case 'BGPAdvertisement':
      return decodeWith(bgpAdvertisementCodec, u, origin, (wire) => ({ _tag: kind, origin, wire }))
    case 'BFDProfile':
      return decodeWith(bfdProfileCodec, u, origin, (wire) => ({ _tag: kind, origin, wire }))
    case 'Community':
      return decodeWith(communityCodec, u, origin, (wire) => ({ _tag: kind, origin, wire }))
    case 'BGPPeer':
      return version === 'v1beta1'
        ? decodeWith(bgpPeerV1beta1Codec, u, origin, (wire) => ({
            _tag: kind,
            origin,
            spec: peerSpecFromV1beta1(wire.spec),
            keepaliveOnly: wire.spec.holdTime === undefined && nonZero(wire.spec.keepaliveTime),
          }))
        : decodeWith(bgpPeerV1beta2Codec, u, origin, (wire) => ({ _tag: kind, origin, spec: wire.spec, keepaliveOnly: false }))
    default:
      return absurd(kind)
  }
}
