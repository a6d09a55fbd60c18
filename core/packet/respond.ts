// What the ARP and NDP responders share: the interface they answer on, the set of addresses this
// node announces there, and the shape of their verdict. The shell counts drops by reason and the
// replies by address (MetalLB's metallb_layer2_requests_received / responses_sent carry the IP).
import type { IP } from '../net/address.js'
import type { Mac } from './mac.js'

export interface LinkIdentity {
  readonly name: string
  readonly mac: Mac
}

declare const announcedBrand: unique symbol
/** Addresses announced on one interface, keyed by family and value so IPv4 5 and IPv6 ::5 differ. */
export type AnnouncedSet = ReadonlySet<string> & { readonly [announcedBrand]: true }

const keyOf = (ip: IP): string => `${ip.family}/${ip.value.toString(16)}`

export const announcedSet = (ips: Iterable<IP>): AnnouncedSet => new Set([...ips].map(keyOf)) as unknown as AnnouncedSet

export const isAnnounced = (set: AnnouncedSet, ip: IP): boolean => set.has(keyOf(ip))

export type Verdict<Reason extends string> =
  /** Send `frame` on the interface the request came in on; `ip` is the address answered for. */
  | { readonly _tag: 'Reply'; readonly frame: Uint8Array; readonly ip: IP }
  /** Nothing to send; `ip` is the address asked about when the frame got that far. */
  | { readonly _tag: 'Drop'; readonly reason: Reason; readonly ip?: IP }

export const reply = (frame: Uint8Array, ip: IP): Verdict<never> => ({ _tag: 'Reply', frame, ip })

export const drop = <R extends string>(reason: R, ip?: IP): Verdict<R> =>
  ip === undefined ? { _tag: 'Drop', reason } : { _tag: 'Drop', reason, ip }
