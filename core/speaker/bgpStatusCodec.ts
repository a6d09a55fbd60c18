// This node's ServiceBGPStatus objects, as the caches hold them, decoded at the boundary into
// bgpStatusWrites.ts's records (name and Service as statusHeader.ts reads them). A peer list that is
// not a list of strings reads as none: a desired list is never empty, so the writes rewrite it.
import * as t from 'io-ts'
import type { BgpStatusObject } from './bgpStatusWrites.js'
import { decodeAll, decodeStatusHeader, orUndefined } from './statusHeader.js'

const Peers = t.type({ status: t.type({ peers: t.UnknownArray }) })

export const decodeBgpStatus = (raw: unknown): BgpStatusObject | undefined => {
  const header = decodeStatusHeader(raw)
  if (header === undefined) return undefined
  const listed = orUndefined(Peers.decode(raw))?.status.peers ?? []
  const peers = listed.every((p): p is string => typeof p === 'string') ? listed : []
  return { ...header, peers }
}

/** `decode`: decodeBgpStatus, or the same kept per object (the speaker's caches hand one in). */
export const decodeBgpStatuses = (objects: readonly unknown[], decode: (raw: unknown) => BgpStatusObject | undefined = decodeBgpStatus): readonly BgpStatusObject[] =>
  decodeAll(objects, decode)
