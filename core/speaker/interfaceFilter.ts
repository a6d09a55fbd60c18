// Which of a node's interfaces may carry Layer 2 announcements. MetalLB's speaker skips interfaces
// that are down, enslaved to a bridge or bond (the master answers instead), marked NOARP, without an
// Ethernet address, or named like container and tunnel plumbing; an L2Advertisement's `interfaces`
// list narrows the rest further. Every skipped interface carries a named reason.
import type { Mac } from '../packet/mac.js'

export interface LinkFacts {
  readonly name: string
  readonly ifindex: number
  readonly mac: Mac | undefined
  readonly up: boolean
  readonly noArp: boolean
  readonly loopback: boolean
  readonly master: string | undefined
}

/** MetalLB's default exclusions: container, bridge and tunnel devices that never face the LAN. */
const EXCLUDED_NAME_PATTERNS: readonly RegExp[] = [
  /^docker/,
  /^cbr/,
  /^dummy/,
  /^virbr/,
  /^lxcbr/,
  /^veth/,
  /^lo$/,
  /^cali/,
  /^tunl/,
  /^flannel/,
  /^kube-ipvs/,
  /^cni/,
  /^nodelocaldns/,
  /^lxc/,
]

type InterfaceSkipReason = 'Down' | 'Enslaved' | 'NoArp' | 'Loopback' | 'NoMac' | 'ExcludedName'

type InterfaceVerdict =
  | { readonly _tag: 'Usable'; readonly link: LinkFacts & { readonly mac: Mac } }
  | { readonly _tag: 'Skipped'; readonly name: string; readonly reason: InterfaceSkipReason }

export const judgeInterface = (link: LinkFacts): InterfaceVerdict => {
  const skip = (reason: InterfaceSkipReason): InterfaceVerdict => ({ _tag: 'Skipped', name: link.name, reason })
  if (link.loopback) return skip('Loopback')
  if (EXCLUDED_NAME_PATTERNS.some((p) => p.test(link.name))) return skip('ExcludedName')
  if (!link.up) return skip('Down')
  if (link.master !== undefined) return skip('Enslaved')
  if (link.noArp) return skip('NoArp')
  if (link.mac === undefined) return skip('NoMac')
  return { _tag: 'Usable', link: { ...link, mac: link.mac } }
}

/** The usable interfaces by name, in name order (deterministic socket set-up and logs). */
export const usableInterfaces = (links: readonly LinkFacts[]): ReadonlyMap<string, LinkFacts & { readonly mac: Mac }> => {
  const usable = new Map<string, LinkFacts & { readonly mac: Mac }>()
  for (const link of [...links].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const v = judgeInterface(link)
    if (v._tag === 'Usable') usable.set(link.name, v.link)
  }
  return usable
}
