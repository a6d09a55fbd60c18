// A speaker decides every IP again on every pass, and each election hashes (SHA-256) the key IP with
// every candidate it compares: at 10,000 IPs that was a third of a pass, two thirds without V8's
// optimizing compiler (the low-cost setting). An outcome depends only on the key IP, the node and the
// contest (its candidates and their scores), so the last pass's outcome is reused while all three are
// the same. Pure: the prior memo in, the next one out; it holds this pass's IPs only.
import type { NodeName } from '../model/names.js'
import { type IP, formatIP } from '../net/address.js'
import { type Contest, winsElectionOf } from './election.js'

interface Outcome {
  /** The node and the contest it was decided in (contestText). */
  readonly contest: string
  readonly wins: boolean
}

/** One node's outcomes of its last pass, by the key IP's text. */
export type ElectionMemo = ReadonlyMap<string, Outcome>

export const NO_ELECTIONS: ElectionMemo = new Map()

/** What decides an outcome besides the IP: the node, then each candidate with its score, in order. */
const contestText = (contest: Contest, me: NodeName): string => {
  let text: string = me
  for (const node of contest.candidates) text += `,${node}=${contest.scores.get(node) ?? 0}`
  return text
}

export interface ElectionPass {
  /** Whether `me` wins `contest` for the key IP `ip`. */
  readonly wins: (contest: Contest, ip: IP) => boolean
  /** The outcomes of this pass so far, for the next one. */
  readonly memo: () => ElectionMemo
}

/** Elections for `me` in one pass, reusing `prior`'s outcomes where node and contest are unchanged. */
export const electionPass = (me: NodeName, prior: ElectionMemo): ElectionPass => {
  // Contests are shared by the Services of the same advertisements: their text is worked out once.
  const texts = new Map<Contest, string>()
  const next = new Map<string, Outcome>()
  const wins = (contest: Contest, ip: IP): boolean => {
    let text = texts.get(contest)
    if (text === undefined) {
      text = contestText(contest, me)
      texts.set(contest, text)
    }
    const ipText = formatIP(ip)
    const known = next.get(ipText) ?? prior.get(ipText)
    const outcome = known !== undefined && known.contest === text ? known : { contest: text, wins: winsElectionOf(contest, ipText, me) }
    next.set(ipText, outcome)
    return outcome.wins
  }
  return { wins, memo: () => next }
}
