// MetalLB's Layer 2 election: every speaker orders the eligible nodes the same way and the first
// one announces. The order (speaker/layer2_controller.go, ShouldAnnounce) is the summed
// preferredNodeSelectors weight, highest first, then sha256([]byte(node + "#" + ip)) compared with
// bytes.Compare, lowest first. `ip` is Go's net.IP.String() of the Service's first IP: a dotted
// quad, or RFC 5952 text for IPv6, which is what formatIP writes. Stateless: no lease, no vote; the
// same inputs give the same owner on every node. Ties on the digest cannot happen for distinct
// names short of a SHA-256 collision; the name breaks them anyway, so the order is total.
import type { NodeName } from '../model/names.js'
import { type IP, formatIP } from '../net/address.js'
import { compareDigests, digestWords } from './digest.js'

/** The text MetalLB hashes for `node` and `ip`. */
export const electionText = (node: NodeName, ipText: string): string => `${node}#${ipText}`

/** The contest for one IP: who may announce it and what each one's preferences add up to. */
export interface Contest {
  readonly candidates: readonly NodeName[]
  /** Summed preference weight per node; a node not listed scores 0. */
  readonly scores: ReadonlyMap<NodeName, number>
}

const scoreOf = (c: Contest, node: NodeName): number => c.scores.get(node) ?? 0

const byName = (a: NodeName, b: NodeName): number => (a < b ? -1 : a > b ? 1 : 0)

/** Every candidate in election order: the first one announces. */
export const electionOrder = (contest: Contest, ip: IP): NodeName[] => {
  const ipText = formatIP(ip)
  return contest.candidates
    .map((node) => ({ node, score: scoreOf(contest, node), digest: digestWords(electionText(node, ipText)) }))
    .sort((a, b) => b.score - a.score || compareDigests(a.digest, b.digest) || byName(a.node, b.node))
    .map((x) => x.node)
}

/**
 * The first of `electionOrder`, in one pass that hashes only the nodes of the highest score seen
 * so far (all of them when nobody has preferences). Undefined when there is no candidate.
 */
export const electWinner = (contest: Contest, ip: IP): NodeName | undefined => {
  const ipText = formatIP(ip)
  let best: NodeName | undefined
  let bestScore = 0
  let bestDigest: Uint32Array | undefined
  for (const node of contest.candidates) {
    const score = scoreOf(contest, node)
    if (best === undefined || score > bestScore) {
      best = node
      bestScore = score
      bestDigest = undefined
      continue
    }
    if (score < bestScore) continue
    bestDigest ??= digestWords(electionText(best, ipText))
    const digest = digestWords(electionText(node, ipText))
    const order = compareDigests(digest, bestDigest) || byName(node, best)
    if (order < 0) {
      best = node
      bestDigest = digest
    }
  }
  return best
}

/**
 * Whether `me` (a candidate) comes first, stopping at the first candidate that beats it: what one
 * speaker needs, and cheap when it loses, which it does for all but about one IP in n.
 */
export const winsElection = (contest: Contest, ip: IP, me: NodeName): boolean => winsElectionOf(contest, formatIP(ip), me)

/** `winsElection` for the key IP's text (formatIP's). */
export const winsElectionOf = (contest: Contest, ipText: string, me: NodeName): boolean => {
  const myScore = scoreOf(contest, me)
  let myDigest: Uint32Array | undefined
  for (const node of contest.candidates) {
    if (node === me) continue
    const score = scoreOf(contest, node)
    if (score > myScore) return false
    if (score < myScore) continue
    myDigest ??= digestWords(electionText(me, ipText))
    const order = compareDigests(digestWords(electionText(node, ipText)), myDigest) || byName(node, me)
    if (order < 0) return false
  }
  return true
}
