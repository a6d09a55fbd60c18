// BGPPeer (metallb.io): v1beta2 is the storage version; v1beta1 is still served, deprecated, as in
// MetalLB. Both schemas come from their codecs (core/config/bgpPeerCodec.ts) and share every
// description and rule that applies to the fields they have (bgpPeerRules.ts).
//
// Conversion is None. MetalLB converts between the versions with a webhook; IronLB runs none, so
// the API server only rewrites apiVersion and carries the fields over as they are. That is sound
// here because v1beta1 is a subset of v1beta2 with the same field names and types (only its node
// selectors are stricter: every expression must list values). What it means for users:
// - v1beta1 objects keep working: they are stored as v1beta2 and read back in either version;
// - reading a v1beta2 object as v1beta1 hides the fields v1beta1 lacks (dynamicASN, interface,
//   passwordSecret, connectTime, ...), and writing that view back with a full update (PUT, or
//   `kubectl replace`) drops them. Use v1beta2 for anything written today.
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { bgpPeerDescriptions, bgpPeerV1beta1Codec, bgpPeerV1beta2Codec } from '../../config/bgpPeerCodec.js'
import { type KindDef, type PrinterColumn, withStatus } from '../crd.js'
import { fieldPaths, schemaFromCodec } from '../fromCodec.js'
import { type Overlays, describe, mergeOverlays } from '../openApi.js'
import { selectorListOverlays } from '../selectors.js'
import { peerRuleOverlays } from './bgpPeerRules.js'

const PRINTER_COLUMNS: readonly PrinterColumn[] = [
  { name: 'Address', type: 'string', jsonPath: '.spec.peerAddress' },
  { name: 'ASN', type: 'string', jsonPath: '.spec.peerASN' },
  { name: 'BFD Profile', type: 'string', jsonPath: '.spec.bfdProfile' },
  { name: 'Multi Hops', type: 'string', jsonPath: '.spec.ebgpMultiHop' },
]

/** The field paths of a codec's shape; empty when it has none (crdFor then reports why). */
const pathsOf = (codec: t.Mixed): ReadonlySet<string> => {
  const s = schemaFromCodec(codec)
  return new Set(E.isRight(s) ? fieldPaths(s.right) : [])
}

const only = (overlays: Overlays, paths: ReadonlySet<string>): Overlays =>
  Object.fromEntries(Object.entries(overlays).filter(([p]) => paths.has(p)))

const specFields = (paths: ReadonlySet<string>): ReadonlySet<string> =>
  new Set([...paths].filter((p) => /^spec\.[^.[{]+$/.test(p)).map((p) => p.slice('spec.'.length)))

const overlaysFor = (codec: t.Mixed, extra: Overlays): Overlays => {
  const paths = pathsOf(codec)
  return mergeOverlays(
    only(
      mergeOverlays(describe(bgpPeerDescriptions), {
        spec: { description: 'The BGP session: both AS numbers, where the peer is, timers, authentication, BFD.' },
        'spec.passwordSecret.name': { description: 'Name of the Secret.' },
        'spec.passwordSecret.namespace': { description: 'Namespace of the Secret: IronLB\'s own namespace, as in MetalLB.' },
      }),
      paths,
    ),
    peerRuleOverlays(specFields(paths)),
    selectorListOverlays('spec.nodeSelectors'),
    extra,
  )
}

const v1beta2Codec = withStatus(bgpPeerV1beta2Codec)
const v1beta1Codec = withStatus(bgpPeerV1beta1Codec)

const v1beta2Overlays = overlaysFor(v1beta2Codec, {})

const v1beta1Overlays = overlaysFor(v1beta1Codec, {
  'spec.peerASN': {
    description: 'AS number the peer must use.',
    rules: [{ rule: 'self != 0', message: 'peerASN is required in v1beta1: 0 is not an AS number' }],
  },
  'spec.peerAddress': {
    description: 'Address to connect to.',
    rules: [{ rule: "self != ''", message: 'peerAddress is required in v1beta1' }],
  },
  // MetalLB's v1beta1 selector: every expression lists at least one value.
  'spec.nodeSelectors[].matchExpressions[].values': { minItems: 1 },
})

export const bgpPeerKind: KindDef<'BGPPeer'> = {
  kind: 'BGPPeer',
  plural: 'bgppeers',
  description: 'A BGP router that IronLB speakers open sessions with.',
  conversion: { strategy: 'None' },
  note: [
    'v1beta1 and v1beta2 are converted with strategy None (no webhook): the API server only changes',
    'apiVersion. Reading a v1beta2 object as v1beta1 hides the v1beta2-only fields, and replacing it',
    'through v1beta1 drops them: write BGPPeers as v1beta2.',
  ].join('\n'),
  versions: [
    {
      name: 'v1beta1',
      served: true,
      storage: false,
      deprecationWarning: 'metallb.io/v1beta1 BGPPeer is deprecated; use metallb.io/v1beta2',
      codec: v1beta1Codec,
      overlays: v1beta1Overlays,
      statusSubresource: true,
      printerColumns: PRINTER_COLUMNS,
    },
    {
      name: 'v1beta2',
      served: true,
      storage: true,
      codec: v1beta2Codec,
      overlays: v1beta2Overlays,
      statusSubresource: true,
      printerColumns: PRINTER_COLUMNS,
    },
  ],
}
