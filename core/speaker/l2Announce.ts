// What this node's ARP/NDP responders hold after a pass, from the election's answer for this node
// (core/l2/plan.ts, whatShouldNodeAnnounce): each announced IP on the usable interfaces its
// advertisements allow (all of them when they name none), one desired ServiceL2Status per Service,
// the IPs taken and released since the last pass, and a fresh gratuitous burst for every announced
// IP when a member comes back (a healed partition: it may have announced our IPs meanwhile).
// A newly taken IP needs no entry of its own for its burst: the responder sends one for every IP a
// port newly holds (shell/speaker/l2Responder.ts), which is also right after a port reopens.
import type { NodeEntry } from '../l2/decision.js'
import type { ServiceKey } from '../model/names.js'
import { type IP, formatIP } from '../net/address.js'
import type { DesiredL2Status } from './l2StatusDiff.js'

interface AnnouncedIP {
  readonly service: ServiceKey
  readonly ip: string
}

export interface L2Announce {
  readonly _tag: 'Announce'
  /** The IPs each usable interface answers for; interfaces with none are left out. */
  readonly interfaces: ReadonlyMap<string, readonly IP[]>
  /** Every IP the election gives this node, with its Service, in the election's order. */
  readonly announced: readonly AnnouncedIP[]
  readonly statuses: readonly DesiredL2Status[]
  /** IP texts announced now and not last pass, and the reverse. */
  readonly taken: readonly string[]
  readonly released: readonly string[]
  /** Members alive now and not last pass (ourselves aside), when some member was alive last pass. */
  readonly returned: readonly string[]
  /** IPs to shout again: every announced IP when a member returned, else none. */
  readonly reassert: readonly IP[]
}

interface AnnounceMemory {
  /** IP texts announced last pass. */
  readonly announced: ReadonlySet<string>
  /** The live set last pass; empty before the first pass as a member. */
  readonly alive: ReadonlySet<string>
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export const l2Announce = (
  entries: readonly NodeEntry[],
  usable: readonly string[],
  alive: ReadonlySet<string>,
  self: string,
  prior: AnnounceMemory,
): L2Announce => {
  const usableSet = new Set(usable)
  const interfaces = new Map<string, IP[]>()
  const perService = new Map<ServiceKey, Set<string>>()
  const announced: AnnouncedIP[] = []
  const ips = new Map<string, IP>()
  for (const e of entries) {
    if (e.ip === undefined || e.decision._tag !== 'Announce') continue
    const choice = e.decision.interfaces
    const names = choice._tag === 'AllInterfaces' ? usable : choice.names.filter((n) => usableSet.has(n))
    for (const name of names) {
      // Appended in place: copying the list for each IP made a pass quadratic in the IPs announced.
      const list = interfaces.get(name)
      if (list === undefined) interfaces.set(name, [e.ip])
      else list.push(e.ip)
    }
    const ifs = perService.get(e.service) ?? new Set<string>()
    for (const name of names) ifs.add(name)
    perService.set(e.service, ifs)
    const text = formatIP(e.ip)
    announced.push({ service: e.service, ip: text })
    ips.set(text, e.ip)
  }
  const returned = [...alive].filter((m) => !prior.alive.has(m) && m !== self)
  const shout = returned.length > 0 && prior.alive.size > 0
  return {
    _tag: 'Announce',
    interfaces,
    announced,
    statuses: [...perService].map(([key, ifs]) => statusFor(key, ifs)),
    taken: [...ips.keys()].filter((ip) => !prior.announced.has(ip)),
    released: [...prior.announced].filter((ip) => !ips.has(ip)),
    returned: shout ? returned : [],
    reassert: shout ? [...ips.values()] : [],
  }
}

const statusFor = (key: ServiceKey, ifs: ReadonlySet<string>): DesiredL2Status => {
  const slash = key.indexOf('/')
  return { serviceNamespace: key.slice(0, slash), serviceName: key.slice(slash + 1), interfaces: [...ifs].sort(byName) }
}
