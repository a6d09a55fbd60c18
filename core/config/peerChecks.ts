// BGPPeer rules that look at several peers, or at a peer's Secret, after each peer was checked on
// its own. They follow what MetalLB enforces in its FRR mode, its default (internal/config
// validation.go, checkFRRPeersCompatible; config.go, passwordFromSecretForPeer):
// - two peers that can run on one node must have the same routerID (unset counts as a value) and,
//   within one VRF, the same myASN: one FRR router per node and VRF carries them all;
// - no two peers with the same address (or interface) and VRF on one node;
// - a passwordSecret must exist, be of type kubernetes.io/basic-auth and hold a `password` key.
//
// "Can run on one node": MetalLB intersects the live Nodes each peer's nodeSelectors select.
// IronLB decides from the selectors alone, so a config's validity does not change as Nodes come and
// go (as bgpChecks.ts does for advertisements): two selector lists meet unless every pair of their
// selectors is provably disjoint (a label both require with different values). MetalLB's own cases
// (peers pinned to different hostnames) come out the same; it refuses disjoint selectors when no
// Node is known yet, which IronLB does not.
import type { BGPPeer } from '../model/bgpPeer.js'
import type { LabelSelector } from '../model/selector.js'
import { formatIP } from '../net/address.js'
import type { Report } from './issues.js'

export interface PeerDraft {
  readonly peer: BGPPeer
  readonly report: Report
}

/** `kubernetes.io/hostname: a` against `kubernetes.io/hostname: b` (or `In [b, c]`): no node has both. */
const disjoint = (a: LabelSelector, b: LabelSelector): boolean => {
  const requires = (s: LabelSelector, key: string): readonly string[] | undefined => {
    const fixed = s.matchLabels[key]
    if (fixed !== undefined) return [fixed]
    return s.matchExpressions.find((r) => r.key === key && r.operator === 'In')?.values
  }
  const keys = new Set([...Object.keys(a.matchLabels), ...a.matchExpressions.map((r) => r.key)])
  for (const key of keys) {
    const x = requires(a, key)
    const y = requires(b, key)
    if (x !== undefined && y !== undefined && !x.some((v) => y.includes(v))) return true
  }
  return false
}

/** Empty lists select every node; otherwise some pair of selectors may meet. */
const shareNode = (a: BGPPeer, b: BGPPeer): boolean =>
  a.nodeSelectors.length === 0 || b.nodeSelectors.length === 0 || a.nodeSelectors.some((x) => b.nodeSelectors.some((y) => !disjoint(x, y)))

/** MetalLB's PeerIdentifier: the address or interface, and the VRF. */
const identity = (p: BGPPeer): string => `${p.target._tag === 'Address' ? formatIP(p.target.ip) : p.target.name}${p.vrf === '' ? '' : `-${p.vrf}`}`

const routerIdText = (p: BGPPeer): string => (p.routerId === undefined ? '(unset)' : formatIP(p.routerId))

/** Each pair reported once, on the later peer in name order, naming the earlier. */
export const checkPeersOnSharedNodes = (drafts: readonly PeerDraft[]): void => {
  const sorted = [...drafts].sort((a, b) => (a.peer.name < b.peer.name ? -1 : a.peer.name > b.peer.name ? 1 : 0))
  sorted.forEach((later, j) => {
    for (const earlier of sorted.slice(0, j)) {
      const p = later.peer
      const q = earlier.peer
      if (!shareNode(p, q)) continue
      if (identity(p) === identity(q))
        later.report(
          p.target._tag === 'Address' ? 'spec.peerAddress' : 'spec.interface',
          `BGPPeer "${q.name}" already peers with ${identity(q).replace(/-/, ' in VRF ')} from the same nodes: one session per address and VRF on a node`,
        )
      if (routerIdText(p) !== routerIdText(q))
        later.report('spec.routerID', `${routerIdText(p)} differs from BGPPeer "${q.name}" (${routerIdText(q)}): peers that can run on one node must share the routerID`)
      if (p.vrf === q.vrf && p.myAsn !== q.myAsn)
        later.report('spec.myASN', `${p.myAsn} differs from BGPPeer "${q.name}" (${q.myAsn}): peers that can run on one node must share myASN within a VRF`)
    }
  })
}

/** What the checks read of a Secret: never the password itself. */
interface SecretFacts {
  readonly type: string
  readonly hasPassword: boolean
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/** The Secrets of `namespace` among `raw`, by name; a Secret without a type is Opaque, as the API server defaults it. */
export const secretFactsOf = (raw: readonly unknown[], namespace: string): ReadonlyMap<string, SecretFacts> => {
  const out = new Map<string, SecretFacts>()
  for (const o of raw) {
    if (!isRecord(o) || o['kind'] !== 'Secret' || !isRecord(o['metadata'])) continue
    const { name, namespace: ns } = o['metadata']
    if (typeof name !== 'string' || (ns !== undefined && ns !== namespace)) continue
    const keys = [o['data'], o['stringData']].flatMap((d) => (isRecord(d) ? Object.keys(d) : []))
    out.set(name, { type: typeof o['type'] === 'string' ? o['type'] : 'Opaque', hasPassword: keys.includes('password') })
  }
  return out
}

/**
 * `secrets`: the Secrets of the namespace by name, when the caller sees them; undefined when it does
 * not (the controller and the webhook, like MetalLB's webhook, which leaves passwordSecret out of
 * its check: the Secret may be applied after the peer). As MetalLB, the Secret is looked up by name
 * in IronLB's namespace.
 */
export const checkPasswordSecrets = (drafts: readonly PeerDraft[], namespace: string, secrets: ReadonlyMap<string, SecretFacts> | undefined): void => {
  if (secrets === undefined) return
  for (const { peer, report } of drafts) {
    if (peer.password._tag !== 'Secret') continue
    const s = secrets.get(peer.password.name)
    const where = `Secret ${namespace}/${peer.password.name}`
    if (s === undefined) report('spec.passwordSecret.name', `${where} does not exist`)
    else if (s.type !== 'kubernetes.io/basic-auth') report('spec.passwordSecret.name', `${where} is of type ${JSON.stringify(s.type)}, not "kubernetes.io/basic-auth"`)
    else if (!s.hasPassword) report('spec.passwordSecret.name', `${where} has no "password" key`)
  }
}
