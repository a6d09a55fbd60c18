// The order of a pass's Service writes, so that no observer ever sees one IP on two Services that
// may not share it. Writes run concurrently, so two writes of one pass land in any order: a Service
// taking an IP must therefore wait until every Service that shows that IP now, and will not keep
// it, has been written without it. Releases go first; an acquisition whose IP is still shown by a
// Service that is losing it waits for the next pass (the watch brings the release in).

export interface PlannedWrite {
  readonly key: string
  /** IPs the Service shows now (status.loadBalancer.ingress). */
  readonly current: readonly string[]
  /** IPs it will show after the write. */
  readonly next: readonly string[]
}

/** ip -> keys of the Services showing it. */
export type Holders = ReadonlyMap<string, ReadonlySet<string>>

export const holdersOf = (shown: Iterable<{ readonly key: string; readonly ips: readonly string[] }>): Map<string, Set<string>> => {
  const m = new Map<string, Set<string>>()
  for (const { key, ips } of shown)
    for (const ip of ips) {
      const set = m.get(ip) ?? new Set<string>()
      set.add(key)
      m.set(ip, set)
    }
  return m
}

/** A write that only removes IPs (or changes none) can never create a double holding. */
const isRelease = (w: PlannedWrite): boolean => w.next.every((ip) => w.current.includes(ip))

/** Services that show one of the IPs `w` adds and will not hold it after the pass. */
export const blockersOf = (w: PlannedWrite, shownNow: Holders, planned: Holders): string[] => {
  const blockers: string[] = []
  for (const ip of w.next) {
    if (w.current.includes(ip)) continue
    for (const other of shownNow.get(ip) ?? []) if (other !== w.key && planned.get(ip)?.has(other) !== true) blockers.push(other)
  }
  return blockers
}

interface WriteOrder {
  /**
   * First, concurrently: writes that only drop IPs, and for each Service that both drops an IP
   * someone else takes and gains another, an interim write that only drops (`interim: true`).
   */
  readonly releases: readonly (PlannedWrite & { readonly interim: boolean })[]
  /** Then, once the releases have landed: every write that adds an IP. */
  readonly acquisitions: readonly PlannedWrite[]
}

/**
 * Splits the writes of a pass so that, if every release lands before any acquisition starts, no
 * moment shows an IP on a Service that loses it together with one that gains it. Swaps and chains
 * (a takes b's IP while b takes a's) resolve in one pass through the interim releases. Should a
 * release fail, the shell checks each acquisition again with `blockersOf` and defers the blocked.
 */
export const orderWrites = (writes: readonly PlannedWrite[], planned: Holders): WriteOrder => {
  const releases: (PlannedWrite & { readonly interim: boolean })[] = []
  const acquisitions: PlannedWrite[] = []
  for (const w of writes) {
    if (isRelease(w)) {
      releases.push({ ...w, interim: false })
      continue
    }
    acquisitions.push(w)
    const lost = w.current.filter((ip) => !w.next.includes(ip))
    const takenByOthers = lost.some((ip) => [...(planned.get(ip) ?? [])].some((k) => k !== w.key))
    if (takenByOthers) releases.push({ key: w.key, current: w.current, next: w.current.filter((ip) => w.next.includes(ip)), interim: true })
  }
  return { releases, acquisitions }
}
