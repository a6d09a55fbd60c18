// The speaker's BGP listeners: one per address family on port 179 (the addon's IPv6 sockets are
// IPv6 only), for routers that dial us and for the peer's side of a collision (RFC 4271 §6.8).
// The kernel checks TCP MD5 on the SYN, so each listener carries the password of every peer of its
// family; the keys are set when the socket is made, so a change of passwords reopens that family's
// listener (a peer dialling in the gap is refused once and dials again; ours dial too). Peers in
// a VRF are dialled only: a listener bound to the VRF's device is not made yet. Unnumbered peers
// (`interface`) are IPv6 link-local: they keep the IPv6 listener open, and the router's connection
// ("fe80::1%eth0") goes to the session dialling that address. Their MD5 key goes on the IPv6 listener
// once the router's address is found (the applier calls ensure again with it as `remote`), which
// reopens that listener as any key change does. Calls run one after another, never interleaved.
import { isIP } from 'node:net'
import { type BgpListener, startBgpListener } from '../bgp/listener.js'
import type { PeerSession } from '../bgp/peerSession.js'
import type { Listen } from '../bgp/socketOptions.js'
import { Md5Password } from '../native/tcpSocket.js'
import type { Logger } from '../obs/log.js'
import type { Redacted } from '../../core/speaker/peerPassword.js'
import type { SessionSpec } from '../../core/speaker/sessionPlan.js'

type Family = 4 | 6

interface Open {
  /** The peers keyed on it, for comparing: the MD5 keys are what the socket holds. */
  readonly keyed: readonly SessionSpec[]
  readonly listener: BgpListener
}

export interface BgpListeners {
  /** Opens, reopens or closes each family's listener for these sessions. */
  readonly ensure: (sessions: readonly SessionSpec[]) => Promise<void>
  readonly close: () => Promise<void>
}

interface ListenersDeps {
  readonly log: Logger
  readonly listen: Listen
  readonly port: number
  /** Where to listen per family; the wildcard when this node's address is not known. */
  readonly hosts: { readonly v4: string; readonly v6: string }
  readonly sessionFor: (remote: string) => PeerSession | undefined
}

/** The socket's key: the password's UTF-8 bytes, what FRR and GoBGP key with (the core kept it to 80). */
export const md5PasswordOf = (p: Redacted): Md5Password => Md5Password.fromBytes(Buffer.from(p.reveal(), 'utf8'))

/** An unnumbered peer's `remote` is its interface until its router is found, then the router's address. */
const keyable = (s: SessionSpec): boolean => s.discoverOn === undefined || isIP(s.remote) === 6

const md5Of = (sessions: readonly SessionSpec[]): Map<string, Md5Password> =>
  new Map(sessions.flatMap((s) => (s.socket.md5 === undefined || !keyable(s) ? [] : [[s.remote, md5PasswordOf(s.socket.md5)] as const])))

/** The listener of `family` serves this session: its address's family, or IPv6 for an unnumbered peer; none in a VRF. */
const servedBy = (family: Family, s: SessionSpec): boolean => (s.socket.device ?? '') === '' && (s.discoverOn === undefined ? isIP(s.remote) === family : family === 6)

/** What the listener holds for a session: its address, but an unnumbered peer without a password is only its interface. */
const heldAs = (s: SessionSpec): string => (s.discoverOn !== undefined && s.socket.md5 === undefined ? `interface ${s.discoverOn}` : s.remote)

const sameKeys = (a: readonly SessionSpec[], b: readonly SessionSpec[]): boolean =>
  a.length === b.length && a.every((s, i) => b[i] !== undefined && heldAs(s) === heldAs(b[i]) && (s.socket.md5?.reveal() ?? '') === (b[i]?.socket.md5?.reveal() ?? ''))

export const bgpListeners = (deps: ListenersDeps): BgpListeners => {
  const open = new Map<Family, Open>()
  const ensureFamily = async (family: Family, sessions: readonly SessionSpec[]): Promise<void> => {
    const mine = sessions.filter((s) => servedBy(family, s))
    const was = open.get(family)
    if (was !== undefined && sameKeys(was.keyed, mine) && mine.length > 0) return
    if (was !== undefined) {
      open.delete(family)
      await was.listener.close()
    }
    if (mine.length === 0) return
    const host = family === 4 ? deps.hosts.v4 : deps.hosts.v6
    try {
      const listener = startBgpListener({ host, port: deps.port, sessionFor: deps.sessionFor, md5: md5Of(mine), listen: deps.listen, log: deps.log })
      open.set(family, { keyed: mine, listener })
    } catch (err) {
      deps.log.warn('bgp-listener-failed', { host, port: deps.port, error: err })
    }
  }
  // A found router's call and a pass's may overlap: two opens at once would collide on the port.
  let queue: Promise<void> = Promise.resolve()
  return {
    ensure: (sessions) => {
      const run = async (): Promise<void> => {
        await ensureFamily(4, sessions)
        await ensureFamily(6, sessions)
      }
      queue = queue.then(run, run)
      return queue
    },
    close: async () => {
      const all = [...open.values()]
      open.clear()
      await Promise.all(all.map((o) => o.listener.close()))
    },
  }
}
