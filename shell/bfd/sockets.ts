// BFD's UDP sockets. Receiving: one socket per family and port, 3784 for single hop (RFC 5881 §4)
// and 4784 for multi-hop (RFC 5883 §5), shared by every session. Sending: one socket per session on a
// source port from 49152-65535 kept for the session's life (RFC 5881 §4), with TTL 255 (RFC 5881 §5;
// RFC 5883 leaves it open and 255 serves both).
// The receiving sockets are the addon's (shell/native/udpTtl.ts): Node's dgram cannot read a datagram's
// TTL, which RFC 5881 §5 and minimumTtl need (core/bfd/ttl.ts), and Linux ignores IP_MINTTL on UDP.
import { type Socket, createSocket } from 'node:dgram'
import { randomInt } from 'node:crypto'
import { type TtlDatagram, type UdpTtlSocket, openUdpTtlSocket } from '../native/udpTtl.js'

export const SINGLE_HOP_PORT = 3784
export const MULTI_HOP_PORT = 4784
const SOURCE_PORTS = { min: 49152, max: 65535 } as const
const BIND_TRIES = 32

export type Family = 4 | 6

export const familyOf = (address: string): Family => (address.includes(':') ? 6 : 4)

/** A dgram socket bound to `address:port`; rejects with the bind error. */
const bound = (family: Family, address: string | undefined, port: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = createSocket({ type: family === 4 ? 'udp4' : 'udp6', ipv6Only: family === 6 })
    const fail = (err: Error): void => {
      s.close()
      reject(err)
    }
    s.once('error', fail)
    s.bind({ address: address ?? (family === 4 ? '0.0.0.0' : '::'), port, exclusive: true }, () => {
      s.off('error', fail)
      resolve(s)
    })
  })

/** The shared receiving socket of one family and port; every datagram comes with its TTL. */
export const listen = async (family: Family, port: number, onDatagram: (d: TtlDatagram) => void, onError: (e: Error) => void): Promise<UdpTtlSocket> =>
  openUdpTtlSocket({ family, address: family === 4 ? '0.0.0.0' : '::', port }, onDatagram, onError)

/** A session's sending socket: a free source port in 49152-65535 (tried at random, bounded), TTL 255. */
export const openSender = async (family: Family, localAddress: string | undefined): Promise<Socket> => {
  let last: unknown
  for (let i = 0; i < BIND_TRIES; i++) {
    try {
      const s = await bound(family, localAddress, randomInt(SOURCE_PORTS.min, SOURCE_PORTS.max + 1))
      s.setTTL(255)
      return s
    } catch (err) {
      last = err
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') break
    }
  }
  throw new Error(`no BFD source port for ${localAddress ?? 'any address'}: ${last instanceof Error ? last.message : String(last)}`)
}
