// BFD's UDP sockets. Receiving: one socket per family and port, 3784 for single hop (RFC 5881 §4)
// and 4784 for multi-hop (RFC 5883 §5), shared by every session. Sending: one socket per session on a
// source port from 49152-65535 kept for the session's life (RFC 5881 §4), with TTL 255 (RFC 5881 §5;
// RFC 5883 leaves it open and 255 serves both).
// Not checked here: RFC 5881 §5 has a single-hop receiver drop packets whose TTL is not 255, and
// BFDProfile minimumTtl bounds a multi-hop one; Node's dgram cannot read a datagram's TTL (that needs
// recvmsg with IP_RECVTTL / IPV6_RECVHOPLIMIT, i.e. the project's addon in shell/native).
import { type Socket, createSocket } from 'node:dgram'
import { randomInt } from 'node:crypto'

export const SINGLE_HOP_PORT = 3784
export const MULTI_HOP_PORT = 4784
const SOURCE_PORTS = { min: 49152, max: 65535 } as const
const BIND_TRIES = 32

export type Family = 4 | 6

export const familyOf = (address: string): Family => (address.includes(':') ? 6 : 4)

/** A dgram socket bound to `address:port`; rejects with the bind error. */
const bound = (family: Family, address: string | undefined, port: number, onMessage?: (msg: Buffer, from: string) => void): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const s = createSocket({ type: family === 4 ? 'udp4' : 'udp6', ipv6Only: family === 6 })
    const fail = (err: Error): void => {
      s.close()
      reject(err)
    }
    s.once('error', fail)
    if (onMessage !== undefined) s.on('message', (msg, rinfo) => onMessage(msg, rinfo.address))
    s.bind({ address: address ?? (family === 4 ? '0.0.0.0' : '::'), port, exclusive: true }, () => {
      s.off('error', fail)
      resolve(s)
    })
  })

/** The shared receiving socket of one family and port. */
export const listen = (family: Family, port: number, onMessage: (msg: Buffer, from: string) => void): Promise<Socket> => bound(family, undefined, port, onMessage)

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
