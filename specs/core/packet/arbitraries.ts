// fast-check arbitraries shared by the packet specs.
import fc from 'fast-check'
import { unsafeIp, type IP } from '../../../core/net/address.js'
import type { Mac } from '../../../core/packet/mac.js'

export const anyMac: fc.Arbitrary<Mac> = fc
  .uint8Array({ minLength: 6, maxLength: 6 })
  .map((b) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':') as Mac)

/** A unicast MAC (I/G bit clear), as an interface has. */
export const unicastMac: fc.Arbitrary<Mac> = anyMac.map((m) => {
  const first = (parseInt(m.slice(0, 2), 16) & 0xfe).toString(16).padStart(2, '0')
  return `${first}${m.slice(2)}` as Mac
})

export const anyV4: fc.Arbitrary<IP> = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((v) => unsafeIp(4, v))
export const anyV6: fc.Arbitrary<IP> = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((v) => unsafeIp(6, v))
/** Unicast IPv6 in 2001:db8::/32, the documentation prefix. */
export const docV6: fc.Arbitrary<IP> = fc
  .bigInt({ min: 0n, max: (1n << 96n) - 1n })
  .map((v) => unsafeIp(6, (0x20010db8n << 96n) | v))

export const v4Text = (ip: IP): string => [24n, 16n, 8n, 0n].map((s) => ((ip.value >> s) & 0xffn).toString()).join('.')
export const v6Text = (ip: IP): string => {
  const groups: string[] = []
  for (let i = 7; i >= 0; i--) groups.push(((ip.value >> BigInt(16 * i)) & 0xffffn).toString(16))
  return groups.join(':')
}

/**
 * Mutations of a valid frame: flip bytes, cut it short, or append junk. The decoders and the
 * responders must return a value (never throw) for every one of them.
 */
export const mutated = (frames: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> =>
  fc
    .tuple(
      frames,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.option(fc.nat(), { nil: undefined }),
      fc.uint8Array({ maxLength: 16 }),
    )
    .map(([frame, flips, cut, junk]) => {
      const out = Uint8Array.from(frame)
      for (const [at, v] of flips) if (out.length > 0) out[at % out.length] = v
      const kept = cut === undefined ? out : out.subarray(0, cut % (out.length + 1))
      const tail = cut === undefined ? junk : new Uint8Array(0)
      const result = new Uint8Array(kept.length + tail.length)
      result.set(kept)
      result.set(tail, kept.length)
      return result
    })
