import t from 'tap'
import fc from 'fast-check'
import { BFD_DEFAULTS, BFD_DETECT_MULTIPLIER, BFD_INTERVAL, BFD_MINIMUM_TTL } from '../../../core/config/bfdProfileCodec.js'
import { build, configOf, lines, mkBfd } from './mk.js'

const B = 'BFDProfile/b'

const rows: ReadonlyArray<{ desc: string; in: Record<string, unknown> | undefined; want: string[] }> = [
  { desc: 'no spec at all', in: undefined, want: [] },
  { desc: 'lowest values', in: { receiveInterval: 10, transmitInterval: 10, echoInterval: 10, detectMultiplier: 2, minimumTtl: 1 }, want: [] },
  {
    desc: 'highest values',
    in: { receiveInterval: 60000, transmitInterval: 60000, echoInterval: 60000, detectMultiplier: 255, minimumTtl: 254 },
    want: [],
  },
  { desc: 'receive interval too small', in: { receiveInterval: 9 }, want: [`${B} spec.receiveInterval: 9 is outside the allowed range 10..60000 (milliseconds)`] },
  { desc: 'transmit interval too big', in: { transmitInterval: 60001 }, want: [`${B} spec.transmitInterval: 60001 is outside the allowed range 10..60000 (milliseconds)`] },
  { desc: 'echo interval too small', in: { echoInterval: 0 }, want: [`${B} spec.echoInterval: 0 is outside the allowed range 10..60000 (milliseconds)`] },
  { desc: 'multiplier 1', in: { detectMultiplier: 1 }, want: [`${B} spec.detectMultiplier: 1 is outside the allowed range 2..255`] },
  { desc: 'TTL 255', in: { minimumTtl: 255 }, want: [`${B} spec.minimumTtl: 255 is outside the allowed range 1..254`] },
  { desc: 'not a whole number', in: { receiveInterval: 12.5 }, want: [`${B} spec.receiveInterval: expected a whole number, got 12.5`] },
  {
    desc: 'every bad field is reported',
    in: { receiveInterval: 1, detectMultiplier: 300 },
    want: [
      `${B} spec.receiveInterval: 1 is outside the allowed range 10..60000 (milliseconds)`,
      `${B} spec.detectMultiplier: 300 is outside the allowed range 2..255`,
    ],
  },
]

t.test('BFDProfile rules', async (t) => {
  for (const row of rows) t.same(lines(build([mkBfd('b', row.in)])), row.want, row.desc)
})

t.test('defaults fill what is unset', async (t) => {
  const profile = configOf(build([mkBfd('b', { echoMode: true })]))?.bfdProfiles.get('b')
  t.same(profile, { name: 'b', ...BFD_DEFAULTS, echoMode: true })
  t.same([BFD_DEFAULTS.receiveInterval, BFD_DEFAULTS.transmitInterval, BFD_DEFAULTS.detectMultiplier, BFD_DEFAULTS.echoInterval, BFD_DEFAULTS.minimumTtl], [300, 300, 3, 50, 254])
})

t.test('a value is accepted exactly when it is within its bounds', async (t) => {
  const field = fc.constantFrom(
    ['receiveInterval', BFD_INTERVAL] as const,
    ['transmitInterval', BFD_INTERVAL] as const,
    ['echoInterval', BFD_INTERVAL] as const,
    ['detectMultiplier', BFD_DETECT_MULTIPLIER] as const,
    ['minimumTtl', BFD_MINIMUM_TTL] as const,
  )
  fc.assert(
    fc.property(field, fc.integer({ min: -10, max: 70000 }), ([name, bounds], value) => {
      const valid = build([mkBfd('b', { [name]: value })])._tag === 'Valid'
      return valid === (value >= bounds.min && value <= bounds.max)
    }),
  )
  t.pass('bounds hold')
})
