// One session's echo packets on the wire (RFC 5880 §6.4, RFC 5881 §4): an AF_PACKET socket on the
// interface the peer sits behind, through the project's addon. Sent: our address to our address, UDP
// 3785, to the peer's MAC, so the peer's forwarding plane routes it back (core/bfd/echoFrame.ts).
// Received on the same socket, because the kernel drops a returning echo as a martian (its source is
// ours) before any UDP socket could see it. Where to send is read when echo starts: the peer's MAC and
// device from the kernel's ARP table (core/bfd/echoPath.ts), the device's index and MAC from /sys, our
// address from the session's local address or the device's IPv4 address on the peer's subnet.
import { readFileSync } from 'node:fs'
import { networkInterfaces } from 'node:os'
import * as E from 'fp-ts/lib/Either.js'
import { type ReturnedEcho, decodeReturnedEcho, echoFilter, encodeEchoFrame } from '../../core/bfd/echoFrame.js'
import { echoPathFrom, echoSourceFor } from '../../core/bfd/echoPath.js'
import { type IP, parseIP } from '../../core/net/address.js'
import { refuseArrival } from '../../core/packet/arrival.js'
import { type Mac, parseMac } from '../../core/packet/mac.js'
import { openPacketSocket } from '../native/packetSocket.js'

const ETH_P_IP = 0x0800

export interface EchoPort {
  /** Sends one echo with the session's discriminator; throws the kernel's error. */
  readonly send: (discriminator: number, sequence: number) => void
  readonly close: () => void
  /** For the log: where the echoes go. */
  readonly path: { readonly device: string; readonly peerMac: Mac; readonly address: string }
}

const sysText = (device: string, file: string): string => readFileSync(`/sys/class/net/${device}/${file}`, 'utf8').trim()

const ourIpv4 = (device: string, localAddress: string | undefined, peer: string): string | undefined =>
  localAddress ?? echoSourceFor((networkInterfaces()[device] ?? []).flatMap((a) => (a.family === 'IPv4' && a.cidr !== null ? [a.cidr] : [])), peer)

/** Opens the echo socket toward `peerAddress` (IPv4), or says why it cannot now (no ARP entry yet, no address). */
export const openEchoPort = (peerAddress: string, localAddress: string | undefined, sourcePort: number, onReturned: (e: ReturnedEcho) => void): EchoPort | string => {
  const path = echoPathFrom(readFileSync('/proc/net/arp', 'utf8'), peerAddress)
  if (path === undefined) return `no resolved ARP entry for ${peerAddress}`
  const address = ourIpv4(path.device, localAddress, peerAddress)
  const ours: E.Either<string, IP> = address === undefined ? E.left(`no IPv4 address on ${path.device}`) : parseIP(address)
  const ourMac = parseMac(sysText(path.device, 'address'))
  if (E.isLeft(ours) || ours.right.family !== 4 || ourMac === undefined) return E.isLeft(ours) ? ours.left : `${path.device}: no IPv4 source or MAC`
  const ifindex = Number(sysText(path.device, 'ifindex'))
  const socket = openPacketSocket({ ifindex, protocol: ETH_P_IP, filter: echoFilter })
  socket.setRef(false)
  socket.start(
    (f) => {
      if (refuseArrival(f, ifindex) !== undefined) return
      const back = decodeReturnedEcho(f.frame, ours.right)
      if (E.isRight(back)) onReturned(back.right)
    },
    () => undefined, // a read error leaves echoes unanswered: the echo detection time reports it
  )
  return {
    send: (discriminator, sequence) => void socket.send(encodeEchoFrame({ ourMac, peerMac: path.peerMac, address: ours.right, sourcePort, discriminator, sequence })),
    close: () => socket.close(),
    path: { device: path.device, peerMac: path.peerMac, address: address ?? '' },
  }
}
