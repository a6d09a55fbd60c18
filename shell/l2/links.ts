// The namespace's network interfaces as the speaker needs them, every one with or without addresses
// (node:os.networkInterfaces lists only those with addresses): one rtnetlink dump through the addon,
// read by the core (core/speaker/linkDump.ts). The dump runs in this process's network namespace, so
// under `ip netns exec` it sees the namespace's interfaces. Which of them to announce on is the core's
// decision (core/speaker/interfaceFilter.ts); this module only reads.
import type { LinkFacts } from '../../core/speaker/interfaceFilter.js'
import { linkDumpRequest, parseLinks } from '../../core/speaker/linkDump.js'
import { netlinkDump } from '../native/netlink.js'

// One sequence number for every dump (each has a socket of its own, so none is mistaken for
// another's), so that an unchanged namespace answers with the same bytes every time.
const SEQ = 1
let last: { readonly bytes: Buffer; readonly links: readonly LinkFacts[] } | undefined

/**
 * Every interface, sorted by ifindex. Throws when the dump fails or is cut short: a partial list would
 * look like interfaces gone. A reply equal byte for byte to the last one is not read again (the idle
 * speaker polls every 2 s; reading is most of a poll's cost).
 */
export const listLinks = (): readonly LinkFacts[] => {
  const reply = netlinkDump(linkDumpRequest(SEQ))
  const bytes = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength)
  if (last !== undefined && bytes.equals(last.bytes)) return last.links
  const r = parseLinks(bytes)
  if (r.error !== undefined) throw new Error(`reading the interfaces (RTM_GETLINK): ${r.error}`)
  last = { bytes, links: r.links }
  return r.links
}

/** The interface called `name`, if there is one now. */
export const readLink = (name: string): LinkFacts | undefined => listLinks().find((l) => l.name === name)
