// BFDProfile (metallb.io/v1beta1): every rule is a range, which the schema's minimum and maximum
// express (no CEL needed). Whether echo mode suits a peer depends on the peer and the pools, so that
// stays in the controller (core/config/bgpChecks.ts). No defaults in the schema, as in MetalLB: the
// documented ones (BFD_DEFAULTS) apply when a field is unset.
import {
  BFD_DETECT_MULTIPLIER,
  BFD_INTERVAL,
  BFD_MINIMUM_TTL,
  bfdProfileCodec,
  bfdProfileDescriptions,
} from '../../config/bfdProfileCodec.js'
import { type KindDef, withStatus } from '../crd.js'
import { type Overlay, describe, mergeOverlays } from '../openApi.js'

/** MetalLB declares these uint32 fields with format int32. */
const int32In = (range: { readonly min: number; readonly max: number }): Overlay => ({
  format: 'int32',
  minimum: range.min,
  maximum: range.max,
})

export const bfdProfileKind: KindDef<'BFDProfile'> = {
  kind: 'BFDProfile',
  plural: 'bfdprofiles',
  description: 'Settings for BFD sessions that BGPPeers may run alongside their BGP sessions.',
  versions: [
    {
      name: 'v1beta1',
      served: true,
      storage: true,
      codec: withStatus(bfdProfileCodec),
      overlays: mergeOverlays(describe(bfdProfileDescriptions), {
        spec: { description: 'BFD timers and modes.' },
        'spec.receiveInterval': int32In(BFD_INTERVAL),
        'spec.transmitInterval': int32In(BFD_INTERVAL),
        'spec.echoInterval': int32In(BFD_INTERVAL),
        'spec.detectMultiplier': int32In(BFD_DETECT_MULTIPLIER),
        'spec.minimumTtl': int32In(BFD_MINIMUM_TTL),
      }),
      statusSubresource: true,
      printerColumns: [
        { name: 'Passive Mode', type: 'boolean', jsonPath: '.spec.passiveMode' },
        { name: 'Transmit Interval', type: 'integer', jsonPath: '.spec.transmitInterval' },
        { name: 'Receive Interval', type: 'integer', jsonPath: '.spec.receiveInterval' },
        { name: 'Multiplier', type: 'integer', jsonPath: '.spec.detectMultiplier' },
      ],
    },
  ],
}
