// Whether this speaker can answer ARP/NDP at all, from a probe of its usable interfaces (a packet
// socket opened and closed on each). A speaker that cannot answer on any of them must not win an
// election: the failure detector would count it alive, the others would yield its IPs to it, and
// clients would get no answer (seen with the addon not built, and on a node without NET_RAW). Such a
// speaker stays out of the election and reports why; the shell acts on the verdict.

export type ProbeOutcome =
  | { readonly _tag: 'Opened' }
  /** The native addon could not be loaded: no interface can be opened. */
  | { readonly _tag: 'AddonMissing'; readonly message: string }
  /** socket/bind/setsockopt failed; `errno` as the kernel gave it, when known. */
  | { readonly _tag: 'Failed'; readonly errno: number | undefined; readonly message: string }

export interface InterfaceProbe {
  readonly name: string
  readonly outcome: ProbeOutcome
}

export const L2_UNABLE_REASONS = [
  /** The AF_PACKET addon is not built or does not load. */
  'AddonMissing',
  /** The kernel refused the socket (EPERM/EACCES): the process lacks CAP_NET_RAW. */
  'NoPermission',
  /** No interface passes the filter (up, Ethernet, not enslaved, not plumbing). */
  'NoUsableInterface',
  /** Every usable interface failed to open for another reason. */
  'OpenFailed',
] as const
type L2UnableReason = (typeof L2_UNABLE_REASONS)[number]

export type L2Readiness =
  | { readonly _tag: 'Able'; readonly interfaces: readonly string[] }
  | { readonly _tag: 'Unable'; readonly reason: L2UnableReason; readonly message: string }

// Linux asm-generic/errno-base.h.
const EPERM = 1
const EACCES = 13

/** Able as soon as one usable interface opens; otherwise the most telling reason, with the first error. */
export const judgeL2Readiness = (probes: readonly InterfaceProbe[]): L2Readiness => {
  const opened = probes.filter((p) => p.outcome._tag === 'Opened').map((p) => p.name)
  if (opened.length > 0) return { _tag: 'Able', interfaces: opened }
  if (probes.length === 0) return { _tag: 'Unable', reason: 'NoUsableInterface', message: 'no interface is usable for Layer 2 (up, with a MAC, not enslaved, not excluded by name)' }
  const detail = (p: InterfaceProbe): string => (p.outcome._tag === 'Opened' ? '' : `${p.name}: ${p.outcome.message}`)
  const missing = probes.find((p) => p.outcome._tag === 'AddonMissing')
  if (missing !== undefined) return { _tag: 'Unable', reason: 'AddonMissing', message: detail(missing) }
  const denied = probes.find((p) => p.outcome._tag === 'Failed' && (p.outcome.errno === EPERM || p.outcome.errno === EACCES))
  if (denied !== undefined) return { _tag: 'Unable', reason: 'NoPermission', message: `${detail(denied)} (the speaker needs CAP_NET_RAW)` }
  return { _tag: 'Unable', reason: 'OpenFailed', message: probes.map(detail).join('; ') }
}

/** One line for logs, events and the readiness answer. */
export const describeL2Readiness = (r: L2Readiness): string =>
  r._tag === 'Able' ? `answering ARP/NDP on ${r.interfaces.join(', ')}` : `cannot answer ARP/NDP (${r.reason}): ${r.message}`
