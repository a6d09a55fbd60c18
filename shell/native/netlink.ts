// rtnetlink dumps through the addon (netlink.cc): request bytes in, every reply byte out. What the
// bytes mean is core's (core/bgp/unnumberedPeer.ts).
import { getSystemErrorName } from 'node:util'
import { loadPacketAddon } from './packetSocket.js'

interface NetlinkBinding {
  netlinkDump(request: Uint8Array): Uint8Array
}

/** Sends one NETLINK_ROUTE dump request and returns the replies (synchronous, each receive bounded to 1 s). */
export const netlinkDump = (request: Uint8Array): Uint8Array => {
  const b = loadPacketAddon() as ReturnType<typeof loadPacketAddon> & Partial<NetlinkBinding>
  if (typeof b.netlinkDump !== 'function') throw new Error("IronLB's addon predates netlinkDump: rebuild it with `make native`")
  try {
    return b.netlinkDump(request)
  } catch (e) {
    const errno = (e as { errno?: unknown }).errno
    if (e instanceof Error && typeof errno === 'number' && errno > 0) Object.assign(e, { code: getSystemErrorName(-errno) })
    throw e
  }
}
