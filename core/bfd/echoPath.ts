// Where a session's echoes go: the peer's MAC and the device it sits behind, from the kernel's IPv4
// neighbour table as /proc/net/arp prints it (one line per entry: IP, HW type, flags, MAC, mask,
// device). The entry is there once the BFD control session is Up, because the kernel resolved the
// peer to send our control packets. Pure: the shell reads the text.
import { type Mac, isUnicastMac, parseMac } from '../packet/mac.js'

interface EchoPath {
  readonly peerMac: Mac
  readonly device: string
}

/** ATF_COM (linux/if_arp.h): the entry is resolved. */
const ATF_COM = 0x02

/** The resolved entry for `peer` (an IPv4 literal), on `device` if one is named; undefined when there is none. */
export const echoPathFrom = (arpTable: string, peer: string, device?: string): EchoPath | undefined => {
  for (const line of arpTable.split('\n').slice(1)) {
    const [ip, , flags, hw, , dev] = line.trim().split(/\s+/)
    if (ip !== peer || dev === undefined || (device !== undefined && dev !== device)) continue
    const mac = parseMac(hw ?? '')
    if ((Number(flags) & ATF_COM) !== 0 && mac !== undefined && isUnicastMac(mac)) return { peerMac: mac, device: dev }
  }
  return undefined
}
