// UDP receiving sockets that report each datagram's received TTL / hop limit (udp_ttl.cc), for BFD's
// TTL rules. Receive only.
import { getSystemErrorName } from 'node:util'
import { loadPacketAddon } from './packetSocket.js'

export interface TtlDatagram {
  readonly bytes: Buffer
  /** The sender's address; a link-local one with its interface, as Node writes it ("fe80::1%eth0"). */
  readonly from: string
  readonly port: number
  /** The IPv4 TTL or IPv6 hop limit it arrived with; -1 when the kernel gave none. */
  readonly ttl: number
}

export interface UdpTtlSocket {
  /** The bound port. */
  readonly port: () => number
  readonly close: () => void
}

interface NativeUdpTtl {
  start(cb: (err: Error | null, bytes?: Buffer, from?: string, port?: number, ttl?: number) => void): void
  close(): void
  port(): number
}
type Binding = { UdpTtlSocket?: new (o: { family: 4 | 6; address: string; port: number }) => NativeUdpTtl }

/** Binds `address:port` (IPv6 sockets are IPv6 only) and delivers every datagram with its TTL. Throws the bind error with its code. */
export const openUdpTtlSocket = (o: { readonly family: 4 | 6; readonly address: string; readonly port: number }, onDatagram: (d: TtlDatagram) => void, onError: (e: Error) => void): UdpTtlSocket => {
  const Ctor = (loadPacketAddon() as unknown as Binding).UdpTtlSocket
  if (Ctor === undefined) throw new Error("IronLB's addon predates UdpTtlSocket: rebuild it with `make native`")
  let native: NativeUdpTtl
  try {
    native = new Ctor({ family: o.family, address: o.address, port: o.port })
  } catch (e) {
    const errno = (e as { errno?: unknown }).errno
    if (e instanceof Error && typeof errno === 'number' && errno > 0) Object.assign(e, { code: getSystemErrorName(-errno) })
    throw e
  }
  native.start((err, bytes, from, port, ttl) => {
    if (err !== null) return onError(err)
    if (bytes !== undefined) onDatagram({ bytes, from: from ?? '', port: port ?? 0, ttl: ttl ?? -1 })
  })
  return { port: () => native.port(), close: () => native.close() }
}
