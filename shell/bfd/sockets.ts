// BFD's UDP sockets. Receiving: one socket per family and port, 3784 for single hop (RFC 5881 §4)
// and 4784 for multi-hop (RFC 5883 §5), shared by every session. Sending: one socket per session on a
// source port from 49152-65535 kept for the session's life (RFC 5881 §4), with TTL 255 (RFC 5881 §5;
// RFC 5883 leaves it open and 255 serves both).
// All are the addon's (shell/native/udpTtl.ts): Node's dgram can neither read a datagram's TTL, which
// RFC 5881 §5 and minimumTtl need (core/bfd/ttl.ts; Linux ignores IP_MINTTL on UDP), nor bind to a
// device. A peer in a VRF gets receiving sockets bound to the VRF's device (a socket bound to none does
// not hear a VRF's traffic) and a sender bound to it (its route is looked up in the VRF's table).
import { randomInt } from 'node:crypto'
import { type TtlDatagram, type UdpTtlSocket, openUdpTtlSocket } from '../native/udpTtl.js'

export const SINGLE_HOP_PORT = 3784
export const MULTI_HOP_PORT = 4784
const SOURCE_PORTS = { min: 49152, max: 65535 } as const
const BIND_TRIES = 32

export type Family = 4 | 6

export const familyOf = (address: string): Family => (address.includes(':') ? 6 : 4)

const wildcard = (family: Family): string => (family === 4 ? '0.0.0.0' : '::')

/**
 * The shared receiving socket of one family, port and device ('' for none); every datagram comes with
 * its TTL. SO_REUSEADDR on each, so a device's socket and the unbound one can share the port.
 */
export const listen = async (family: Family, port: number, device: string, onDatagram: (d: TtlDatagram) => void, onError: (e: Error) => void): Promise<UdpTtlSocket> =>
  openUdpTtlSocket({ family, address: wildcard(family), port, reuseAddress: true, ...(device === '' ? {} : { device }) }, onDatagram, onError)

/** A session's sending socket: a free source port in 49152-65535 (tried at random, bounded), TTL 255, bound to `device` unless ''. */
export const openSender = async (family: Family, localAddress: string | undefined, device: string): Promise<UdpTtlSocket> => {
  let last: unknown
  for (let i = 0; i < BIND_TRIES; i++) {
    try {
      return openUdpTtlSocket({ family, address: localAddress ?? wildcard(family), port: randomInt(SOURCE_PORTS.min, SOURCE_PORTS.max + 1), ttl: 255, ...(device === '' ? {} : { device }) })
    } catch (err) {
      last = err
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') break
    }
  }
  throw new Error(`no BFD source port for ${localAddress ?? 'any address'}${device === '' ? '' : ` on ${device}`}: ${last instanceof Error ? last.message : String(last)}`)
}
