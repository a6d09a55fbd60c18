// The TTL rules of BFD's receivers. Single hop (RFC 5881 §5): only TTL / hop limit 255 is accepted, so
// a packet from beyond the link (which no one can send with 255 still left) is never taken. Multi-hop
// (RFC 5883 §2 leaves it to the operator; BFDProfile minimumTtl, FRR's `minimum-ttl`): at least that.
// A datagram whose TTL the kernel did not report (-1) fails both: the rule cannot be checked.

/** Why a received packet fails its hop rule, or undefined when it passes. */
export const ttlDiscard = (multiHop: boolean, minimumTtl: number, ttl: number): 'TtlNot255' | 'TtlBelowMinimum' | undefined => {
  if (!multiHop) return ttl === 255 ? undefined : 'TtlNot255'
  return ttl >= 1 && ttl >= minimumTtl ? undefined : 'TtlBelowMinimum'
}
