// fast-check generators for the BGP codec specs: prefixes of both families, path attributes and
// whole updates that fit one message.
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { type Family, familyMax, unsafeIp } from '../../../core/net/address.js'
import { type Prefix, mkPrefix } from '../../../core/net/prefix.js'
import type { PathAttributes } from '../../../core/bgp/attributes.js'
import type { Update } from '../../../core/bgp/update.js'

const u32 = fc.integer({ min: 0, max: 0xffffffff })

export const ipArb = (family: Family) => fc.bigInt(0n, familyMax(family)).map((v) => unsafeIp(family, v))

export const prefixArb = (family: Family): fc.Arbitrary<Prefix> =>
  fc.tuple(ipArb(family), fc.integer({ min: 0, max: family === 4 ? 32 : 128 })).map(([ip, len]) => {
    const p = mkPrefix(ip, len)
    if (E.isLeft(p)) throw new Error(p.left)
    return p.right
  })

export const attributesArb = (fourOctetAs: boolean, withNextHop: boolean): fc.Arbitrary<PathAttributes> =>
  fc.record(
    {
      origin: fc.constantFrom('igp' as const, 'egp' as const, 'incomplete' as const),
      // Past 255 AS numbers the path needs a second segment.
      asPath: fc.array(fourOctetAs ? u32 : fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 }),
      nextHop: ipArb(4),
      med: u32,
      localPref: u32,
      communities: fc.array(u32, { maxLength: 40 }),
      largeCommunities: fc.array(fc.record({ global: u32, local1: u32, local2: u32 }), { maxLength: 20 }),
    },
    { requiredKeys: ['origin', 'asPath', 'communities', 'largeCommunities', ...(withNextHop ? (['nextHop'] as const) : [])] },
  )

/** Updates that decode to themselves: anything announced comes with ORIGIN, AS_PATH (and NEXT_HOP for IPv4). */
export const updateArb = (fourOctetAs: boolean): fc.Arbitrary<Update> =>
  fc
    .record({
      withdrawn: fc.array(prefixArb(4), { maxLength: 30 }),
      // The multiprotocol attributes carry one family each: IPv6, or IPv4 with an IPv6 next hop (RFC 8950).
      mpUnreach: fc.oneof(fc.array(prefixArb(6), { maxLength: 20 }), fc.array(prefixArb(4), { maxLength: 20 })),
      nlri: fc.array(prefixArb(4), { maxLength: 30 }),
      v6: fc.option(
        fc.record({ nextHop: ipArb(6), linkLocal: fc.option(ipArb(6), { nil: undefined }), nlri: fc.oneof(fc.array(prefixArb(6), { maxLength: 20 }), fc.array(prefixArb(4), { minLength: 1, maxLength: 20 })) }),
        { nil: undefined },
      ),
      announce: fc.boolean(),
    })
    .chain((r) => {
      const announcing = r.announce || r.nlri.length > 0 || r.v6 !== undefined
      const base = { withdrawn: r.withdrawn, mpUnreach: r.mpUnreach }
      if (!announcing) return fc.constant<Update>({ ...base, nlri: [] })
      return attributesArb(fourOctetAs, r.nlri.length > 0).map(
        (attributes): Update => ({
          ...base,
          attributes,
          nlri: r.nlri,
          ...(r.v6 === undefined ? {} : { mpReach: { nextHop: r.v6.nextHop, ...(r.v6.linkLocal === undefined ? {} : { linkLocalNextHop: r.v6.linkLocal }), nlri: r.v6.nlri } }),
        }),
      )
    })

export { u32 }
