// When to repeat gratuitous ARP / unsolicited Neighbor Advertisements after taking an IP over.
// MetalLB repeats every 1.1 s for 5 s. IronLB sends at once (that is what makes failover fast),
// repeats twice within half a second so one lost frame costs little, then keeps MetalLB's cadence
// for hosts whose caches ignored the first ones.
export const GRATUITOUS_OFFSETS_MS: readonly number[] = [0, 150, 500, 1_100, 2_200, 3_300, 4_400]
