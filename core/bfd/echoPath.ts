// Where a session's echoes go: the peer's MAC and the device it sits behind, from the kernel's IPv4
// neighbour table as /proc/net/arp prints it (one line per entry: IP, HW type, flags, MAC, mask,
// device). The entry is there once the BFD control session is Up, because the kernel resolved the
// peer to send our control packets. Pure: the shell reads the text.
import * as E from 'fp-ts/lib/Either.js'
import { parseIP } from '../net/address.js'
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

/**
 * The echo's address when the session names none: the device's IPv4 address on the peer's subnet
 * (`cidr` as os.networkInterfaces gives it, "198.51.100.11/24"), else its first IPv4 address.
 */
export const echoSourceFor = (cidrs: readonly string[], peer: string): string | undefined => {
  const p = parseIP(peer)
  const onLink = cidrs.find((c) => {
    const [text = '', len = ''] = c.split('/')
    const ip = parseIP(text)
    const shift = BigInt(32 - Number(len))
    return E.isRight(ip) && E.isRight(p) && ip.right.family === 4 && p.right.family === 4 && shift >= 0n && shift <= 32n && ip.right.value >> shift === p.right.value >> shift
  })
  return (onLink ?? cidrs.find((c) => !c.includes(':')))?.split('/')[0]
}
