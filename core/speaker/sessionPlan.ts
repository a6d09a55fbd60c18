// Which BGP sessions this node runs, and with what: every BGPPeer selected for the node (its
// nodeSelectors; none selects every node, as MetalLB's syncPeers) becomes a SessionSpec, or a named
// reason why it cannot run. The spec holds everything that shapes the session itself (OPEN,
// timers, socket, BFD); the routes are not in it, so a route change never touches a session.
import * as E from 'fp-ts/lib/Either.js'
import { sessionConfigOf } from '../bgp/sessionConfig.js'
import { peerRunsOn } from '../bgp/peerFacts.js'
import type { NextHops } from '../bgp/peerOpen.js'
import type { SessionConfig } from '../bgp/session.js'
import type { BFDProfile } from '../model/bfdProfile.js'
import type { BGPPeer } from '../model/bgpPeer.js'
import type { Config } from '../model/config.js'
import type { Node } from '../model/node.js'
import { formatIP } from '../net/address.js'
import type { NodeAddressPair } from './nodeAddresses.js'
import { type PasswordRefusal, type Redacted, passwordOf } from './peerPassword.js'

/** RFC 5082 / FRR's `ebgp-multihop` default: the most hops a TTL allows. */
const MULTI_HOP_TTL = 255

interface SessionSocket {
  readonly localAddress?: string
  /** Set only with ebgpMultiHop; otherwise the kernel's default. */
  readonly ttl?: number
  readonly md5?: Redacted
  /** The VRF's device (SO_BINDTODEVICE); unset for the default VRF. */
  readonly device?: string
}

export interface SessionSpec {
  /** The BGPPeer's name: the key of its routes in the BGP plan. */
  readonly peer: string
  readonly config: SessionConfig
  /** The router's address; for an unnumbered peer the interface's name (logs, metric labels). */
  readonly remote: string
  /** Unnumbered (`interface`): the applier finds the one router on this interface and dials its link-local address. */
  readonly discoverOn?: string
  readonly port: number
  readonly socket: SessionSocket
  /** This node's address of the family the socket is not, for that family's next hop. */
  readonly otherNextHops: NextHops
  /** RFC 5883 multi-hop BFD for ebgpMultiHop peers, single hop otherwise. */
  readonly bfd: { readonly profile: BFDProfile; readonly multiHop: boolean } | undefined
}

export type NoSessionReason =
  | 'NoRouterId'
  | PasswordRefusal
  /** The node has no InternalIP of the peer's family, so no next hop to send. */
  | 'NoNodeAddress'
  /** The peer names a passwordSecret and the Secrets are not listed yet: it waits, nothing else does. */
  | 'SecretsNotSynced'

export interface NoSession {
  readonly peer: string
  readonly reason: NoSessionReason
}

interface WantedSessions {
  /** By peer name, in name order. */
  readonly sessions: ReadonlyMap<string, SessionSpec>
  readonly refused: readonly NoSession[]
}

interface NodeFacts {
  readonly node: Node | undefined
  readonly addresses: NodeAddressPair
  /** Undefined until the Secrets cache has listed (a Role without the grant never does). */
  readonly secrets: readonly unknown[] | undefined
  readonly namespace: string
}

/** Where to dial: an address, or (unnumbered) the interface to find the router on, whose IPv6 next hop is our link-local address, found with it. */
const remoteOf = (peer: BGPPeer, f: NodeFacts): E.Either<NoSessionReason, Pick<SessionSpec, 'remote' | 'discoverOn' | 'otherNextHops'>> => {
  if (peer.target._tag === 'Interface') return E.right({ remote: peer.target.name, discoverOn: peer.target.name, otherNextHops: {} })
  const remote = peer.target.ip
  const own = remote.family === 4 ? f.addresses.v4 : f.addresses.v6
  if (own === undefined && peer.sourceAddress === undefined) return E.left('NoNodeAddress')
  const other = remote.family === 4 ? f.addresses.v6 : f.addresses.v4
  return E.right({ remote: formatIP(remote), otherNextHops: other === undefined ? {} : other.family === 4 ? { v4: other } : { v6: other } })
}

const specOf = (peer: BGPPeer, config: Config, f: NodeFacts): E.Either<NoSessionReason, SessionSpec> => {
  const remote = remoteOf(peer, f)
  if (E.isLeft(remote)) return remote
  const session = sessionConfigOf(peer, f.addresses.v4)
  if ('_tag' in session) return E.left(session.reason)
  if (peer.password._tag === 'Secret' && f.secrets === undefined) return E.left('SecretsNotSynced')
  const md5 = passwordOf(peer.password, f.secrets ?? [], f.namespace)
  if (E.isLeft(md5)) return md5
  const profile = peer.bfdProfile === undefined ? undefined : config.bfdProfiles.get(peer.bfdProfile)
  return E.right({
    peer: peer.name,
    config: session,
    ...remote.right,
    port: peer.port,
    socket: {
      ...(peer.sourceAddress === undefined ? {} : { localAddress: formatIP(peer.sourceAddress) }),
      ...(peer.ebgpMultiHop ? { ttl: MULTI_HOP_TTL } : {}),
      ...(md5.right === undefined ? {} : { md5: md5.right }),
      ...(peer.vrf === '' ? {} : { device: peer.vrf }),
    },
    bfd: profile === undefined ? undefined : { profile, multiHop: peer.ebgpMultiHop },
  })
}

/** The sessions `config` asks of this node, and the peers selected for it that cannot run, with why. */
export const wantedSessions = (config: Config, f: NodeFacts): WantedSessions => {
  const sessions = new Map<string, SessionSpec>()
  const refused: NoSession[] = []
  if (f.node === undefined) return { sessions, refused }
  for (const peer of config.bgpPeers) {
    if (!peerRunsOn(peer, f.node)) continue
    const spec = specOf(peer, config, { ...f, node: f.node })
    if (E.isLeft(spec)) refused.push({ peer: peer.name, reason: spec.left })
    else sessions.set(peer.name, spec.right)
  }
  return { sessions, refused }
}
