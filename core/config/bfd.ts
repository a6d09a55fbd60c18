// BFDProfile objects to core/model/bfdProfile.ts: the CRD's ranges (MetalLB's bfdProfileFromCR
// checks the same ones) and the documented defaults for whatever is left unset.
import type { BFDProfile } from '../model/bfdProfile.js'
import {
  BFD_DEFAULTS,
  BFD_DETECT_MULTIPLIER,
  BFD_INTERVAL,
  BFD_MINIMUM_TTL,
  type BFDProfileWire,
} from './bfdProfileCodec.js'
import type { Report } from './issues.js'

interface Bounds {
  readonly min: number
  readonly max: number
}

const inRange = (
  value: number | undefined,
  fallback: number,
  bounds: Bounds,
  field: string,
  unit: string,
  report: Report,
): number => {
  if (value === undefined) return fallback
  if (value < bounds.min || value > bounds.max)
    report(field, `${value} is outside the allowed range ${bounds.min}..${bounds.max}${unit}`)
  return value
}

export const bfdProfileFrom = (wire: BFDProfileWire, report: Report): BFDProfile => {
  const spec = wire.spec ?? {}
  const ms = ' (milliseconds)'
  return {
    name: wire.metadata.name,
    receiveInterval: inRange(spec.receiveInterval, BFD_DEFAULTS.receiveInterval, BFD_INTERVAL, 'spec.receiveInterval', ms, report),
    transmitInterval: inRange(spec.transmitInterval, BFD_DEFAULTS.transmitInterval, BFD_INTERVAL, 'spec.transmitInterval', ms, report),
    detectMultiplier: inRange(spec.detectMultiplier, BFD_DEFAULTS.detectMultiplier, BFD_DETECT_MULTIPLIER, 'spec.detectMultiplier', '', report),
    echoInterval: inRange(spec.echoInterval, BFD_DEFAULTS.echoInterval, BFD_INTERVAL, 'spec.echoInterval', ms, report),
    echoMode: spec.echoMode ?? BFD_DEFAULTS.echoMode,
    passiveMode: spec.passiveMode ?? BFD_DEFAULTS.passiveMode,
    minimumTtl: inRange(spec.minimumTtl, BFD_DEFAULTS.minimumTtl, BFD_MINIMUM_TTL, 'spec.minimumTtl', '', report),
  }
}
