// Where a failover is measured from, for ironlb_layer2_failover_seconds: the latest moment a member
// was first suspected or declared gone, among those within the window. Only a pass that takes IPs
// over observes one; the shell measures up to the moment its responders hold them.

/** How long a suspicion stays relevant for the failover histogram. */
const FAILOVER_WINDOW_MS = 30_000

/** `goneSince`: when each member was first suspected or declared gone, since it was last alive. */
export const failoverSince = (taken: readonly string[], goneSince: ReadonlyMap<string, number>, now: number): number | undefined => {
  if (taken.length === 0) return undefined
  const recent = [...goneSince.values()].filter((t) => now - t < FAILOVER_WINDOW_MS)
  return recent.length === 0 ? undefined : Math.max(...recent)
}
