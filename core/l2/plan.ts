// Layer 2 announcements for a whole cluster (`planL2`: who announces every Service IP, for the
// controller's status, `ironlb simulate` and tests) and for one node (`whatShouldNodeAnnounce`:
// what the speaker there must answer ARP/NDP for, and why not for the rest). Both come from the
// same verdicts (judge.ts) and the same order (election.ts), so a node announces an IP exactly when
// the cluster view names it as the owner. The node view stops each election at the first node that
// beats it, so a speaker recomputing on every change hashes a few keys per Service, not all.
import type { NodeName } from '../model/names.js'
import type { Service } from '../model/service.js'
import { type IP, compareIP } from '../net/address.js'
import { interfacesFor, selectsNode } from './advertisers.js'
import type { Assigned } from './assigned.js'
import type { Announcement, L2Plan, NodeDecision, NodeEntry, NodeSkipReason, ServiceSkipReason, Skipped } from './decision.js'
import { electWinner } from './election.js'
import { type ElectionMemo, type ElectionPass, NO_ELECTIONS, electionPass } from './electionMemo.js'
import { nodeBlock } from './eligibility.js'
import { type ClusterSnapshot, type L2Context, type ServiceVerdict, judgeService, mkContext } from './judge.js'

export interface L2Input extends ClusterSnapshot {
  /** Services by key; should a key repeat, each occurrence is judged on its own. */
  readonly services: readonly Service[]
  /** The IPs each Service holds (assigned.ts); a Service not listed holds none. */
  readonly assigned: Assigned
}

const byKey = (a: Service, b: Service): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

/** Services in key order, each with its IPs as held (the first keys the election) and sorted (for output). */
const eachService = (input: L2Input): { svc: Service; held: readonly IP[]; sorted: readonly (IP | undefined)[] }[] =>
  [...input.services].sort(byKey).map((svc) => {
    const held = input.assigned.get(svc.key) ?? []
    return { svc, held, sorted: held.length === 0 ? [undefined] : [...held].sort(compareIP) }
  })

export const planL2 = (input: L2Input): L2Plan => {
  const ctx = mkContext(input)
  const announcements: Announcement[] = []
  const skipped: Skipped[] = []
  for (const { svc, held, sorted } of eachService(input)) {
    const verdict = judgeService(ctx, svc, held)
    const skip = (reason: ServiceSkipReason): void => {
      for (const ip of sorted) skipped.push({ service: svc.key, ip, reason })
    }
    if (verdict._tag === 'Skip') {
      skip(verdict.reason)
      continue
    }
    const node = electWinner(verdict.contest, verdict.key)
    if (node === undefined) {
      skip('NoEligibleNode')
      continue
    }
    const interfaces = interfacesFor(verdict.ads, node)
    for (const ip of sorted) if (ip !== undefined) announcements.push({ service: svc.key, ip, node, interfaces })
  }
  return { announcements, skipped }
}

/** Why `node` does not take part in a contest, or undefined when it is a candidate. */
const sittingOut = (ctx: L2Context, verdict: Extract<ServiceVerdict, { _tag: 'Contest' }>, svc: Service, node: NodeName): NodeSkipReason | undefined => {
  const known = ctx.facts.nodes.get(node)
  if (known === undefined) return 'UnknownNode'
  if (!selectsNode(verdict.ads, node)) return 'NodeNotSelected'
  const block = nodeBlock(ctx.facts, known)
  if (block !== undefined) return block
  if (svc.externalTrafficPolicy === 'Local' && !verdict.endpoints.nodes.has(node)) return 'NoLocalEndpoints'
  return undefined
}

const decide = (ctx: L2Context, svc: Service, held: readonly IP[], node: NodeName, elections: ElectionPass): NodeDecision => {
  const verdict = judgeService(ctx, svc, held)
  if (verdict._tag === 'Skip') return { _tag: 'Skip', reason: verdict.reason }
  const out = sittingOut(ctx, verdict, svc, node)
  if (out !== undefined) return { _tag: 'Skip', reason: out }
  if (!elections.wins(verdict.contest, verdict.key)) return { _tag: 'Skip', reason: 'NotOwner' }
  return { _tag: 'Announce', interfaces: interfacesFor(verdict.ads, node) }
}

/**
 * For every Service IP (sorted as planL2 sorts them), whether `node` announces it and where, or why
 * not; with the election outcomes for `node`'s next pass (`prior`: those of its last one).
 */
export const nodeAnnouncements = (node: NodeName, input: L2Input, prior: ElectionMemo): { readonly entries: readonly NodeEntry[]; readonly elections: ElectionMemo } => {
  const ctx = mkContext(input)
  const elections = electionPass(node, prior)
  const entries: NodeEntry[] = []
  for (const { svc, held, sorted } of eachService(input)) {
    const decision = decide(ctx, svc, held, node, elections)
    for (const ip of sorted) entries.push({ service: svc.key, ip, decision })
  }
  return { entries, elections: elections.memo() }
}

/** nodeAnnouncements without a memo: every election decided afresh. */
export const whatShouldNodeAnnounce = (node: NodeName, input: L2Input): readonly NodeEntry[] => nodeAnnouncements(node, input, NO_ELECTIONS).entries
