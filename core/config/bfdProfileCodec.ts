// Wire shape of BFDProfile (metallb.io/v1beta1), its ranges and defaults (the CRD's bounds; the
// defaults are the ones MetalLB documents, which are FRR bfdd's).
import * as t from 'io-ts'
import { objectWithOptionalSpecCodec } from './metaCodec.js'

const bfdProfileSpecCodec = t.partial({
  receiveInterval: t.Int,
  transmitInterval: t.Int,
  detectMultiplier: t.Int,
  echoInterval: t.Int,
  echoMode: t.boolean,
  passiveMode: t.boolean,
  minimumTtl: t.Int,
})

export const bfdProfileCodec = objectWithOptionalSpecCodec('BFDProfile', bfdProfileSpecCodec)
export type BFDProfileWire = t.TypeOf<typeof bfdProfileCodec>

/** Milliseconds; receiveInterval, transmitInterval and echoInterval share it. */
export const BFD_INTERVAL = { min: 10, max: 60000 } as const
export const BFD_DETECT_MULTIPLIER = { min: 2, max: 255 } as const
export const BFD_MINIMUM_TTL = { min: 1, max: 254 } as const

export const BFD_DEFAULTS = {
  receiveInterval: 300,
  transmitInterval: 300,
  detectMultiplier: 3,
  echoInterval: 50,
  echoMode: false,
  passiveMode: false,
  minimumTtl: 254,
} as const

export const bfdProfileDescriptions = {
  'spec.receiveInterval': 'Slowest rate, in milliseconds, at which this side wants to receive control packets (default 300).',
  'spec.transmitInterval': 'Rate, in milliseconds, at which this side wants to send control packets (default 300).',
  'spec.detectMultiplier': 'Packets that may be lost before the session is declared down (default 3).',
  'spec.echoInterval': 'Slowest rate, in milliseconds, at which this side wants to receive echo packets (default 50).',
  'spec.echoMode': 'Send echo packets; not usable on multi-hop sessions nor with IPv6 pools.',
  'spec.passiveMode': 'Wait for the peer to start the session instead of starting it.',
  'spec.minimumTtl': 'Lowest TTL accepted on incoming control packets, for multi-hop sessions (default 254).',
} as const
