// The wire codecs are walked later to generate the CRDs' OpenAPI schemas; this keeps their
// description maps and numeric constants in step with the fields the codecs really have.
import t from 'tap'
import type * as io from 'io-ts'
import { bfdProfileCodec, bfdProfileDescriptions, BFD_DEFAULTS, BFD_INTERVAL } from '../../../core/config/bfdProfileCodec.js'
import { AGGREGATION_LENGTH, AGGREGATION_LENGTH_V6, bgpAdvertisementCodec, bgpAdvertisementDescriptions } from '../../../core/config/bgpAdvertisementCodec.js'
import { bgpPeerDescriptions, bgpPeerV1beta2Codec, PEER_PORT } from '../../../core/config/bgpPeerCodec.js'
import { communityCodec, communityDescriptions } from '../../../core/config/communityCodec.js'
import { ipAddressPoolCodec, ipAddressPoolDescriptions } from '../../../core/config/ipAddressPoolCodec.js'
import { l2AdvertisementCodec, l2AdvertisementDescriptions } from '../../../core/config/l2AdvertisementCodec.js'

type Walkable = {
  readonly _tag?: string
  readonly props?: Record<string, Walkable>
  readonly types?: readonly Walkable[]
  readonly type?: Walkable
}

/** Every field path a codec accepts, e.g. "spec.addresses" and "spec.communities[].name". */
const pathsOf = (codec: Walkable, prefix = ''): string[] => {
  switch (codec._tag) {
    case 'InterfaceType':
    case 'PartialType':
      return Object.entries(codec.props ?? {}).flatMap(([k, v]) => {
        const here = prefix === '' ? k : `${prefix}.${k}`
        return [here, ...pathsOf(v, here)]
      })
    case 'IntersectionType':
      return (codec.types ?? []).flatMap((c) => pathsOf(c, prefix))
    case 'ArrayType':
      return codec.type === undefined ? [] : pathsOf(codec.type, `${prefix}[]`)
    default:
      return []
  }
}

const cases: ReadonlyArray<{ desc: string; codec: io.Mixed; descriptions: Record<string, string> }> = [
  { desc: 'IPAddressPool', codec: ipAddressPoolCodec, descriptions: ipAddressPoolDescriptions },
  { desc: 'L2Advertisement', codec: l2AdvertisementCodec, descriptions: l2AdvertisementDescriptions },
  { desc: 'BGPAdvertisement', codec: bgpAdvertisementCodec, descriptions: bgpAdvertisementDescriptions },
  { desc: 'BGPPeer', codec: bgpPeerV1beta2Codec, descriptions: bgpPeerDescriptions },
  { desc: 'BFDProfile', codec: bfdProfileCodec, descriptions: bfdProfileDescriptions },
  { desc: 'Community', codec: communityCodec, descriptions: communityDescriptions },
]

t.test('every description names a field of its codec', async (t) => {
  for (const c of cases) {
    const paths = new Set(pathsOf(c.codec as unknown as Walkable))
    t.ok(paths.size > 0, `${c.desc}: the codec can be walked`)
    for (const key of Object.keys(c.descriptions)) t.ok(paths.has(key), `${c.desc}: ${key}`)
  }
})

t.test('every spec field of the config kinds is described', async (t) => {
  for (const c of cases) {
    const specFields = pathsOf(c.codec as unknown as Walkable).filter((p) => /^spec\.[A-Za-z]+$/.test(p))
    for (const field of specFields) t.ok(Object.prototype.hasOwnProperty.call(c.descriptions, field), `${c.desc}: ${field}`)
  }
})

t.test('defaults sit inside their ranges', async (t) => {
  for (const b of [AGGREGATION_LENGTH, AGGREGATION_LENGTH_V6, PEER_PORT]) t.ok(b.min <= b.default && b.default <= b.max)
  for (const v of [BFD_DEFAULTS.receiveInterval, BFD_DEFAULTS.transmitInterval, BFD_DEFAULTS.echoInterval])
    t.ok(BFD_INTERVAL.min <= v && v <= BFD_INTERVAL.max)
})
