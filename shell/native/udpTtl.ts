// UDP sockets that report each datagram's received TTL / hop limit (udp_ttl.cc), for BFD's TTL
// rules, and that can be bound to a device (SO_BINDTODEVICE: a VRF's), which Node's dgram cannot.
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
  /** The device it is bound to, "" for none. */
  readonly device: () => string
  /** Sends one datagram now; throws the errno (with its code) if the kernel refuses. */
  readonly send: (bytes: Buffer, address: string, port: number) => void
  readonly close: () => void
}

interface UdpTtlOptions {
  readonly family: 4 | 6
  /** An IP literal to bind; a link-local one with its zone ("fe80::1%eth0"). */
  readonly address: string
  readonly port: number
  /** SO_BINDTODEVICE: receive only what arrives on it, send only through it. */
  readonly device?: string
  /** The TTL / hop limit sent with. */
  readonly ttl?: number
  /** SO_REUSEADDR: lets a socket bound to a device share the port with one bound to none. */
  readonly reuseAddress?: boolean
}

interface NativeUdpTtl {
  start(cb: (err: Error | null, bytes?: Buffer, from?: string, port?: number, ttl?: number) => void): void
  send(bytes: Buffer, address: string, port: number): void
  close(): void
  port(): number
  device(): string
}
type Binding = { UdpTtlSocket?: new (o: UdpTtlOptions) => NativeUdpTtl }

/** The addon's errors carry errno; this adds Node's code (EADDRINUSE, ENETUNREACH, ...). */
const withCode = <A>(f: () => A): A => {
  try {
    return f()
  } catch (e) {
    const errno = (e as { errno?: unknown }).errno
    if (e instanceof Error && typeof errno === 'number' && errno > 0) Object.assign(e, { code: getSystemErrorName(-errno) })
    throw e
  }
}

/**
 * Binds `address:port` (IPv6 sockets are IPv6 only) with `o`'s options. Throws the bind error with its
 * code. With `onDatagram`, every datagram is delivered with its TTL; without, the socket only sends.
 */
export const openUdpTtlSocket = (o: UdpTtlOptions, onDatagram?: (d: TtlDatagram) => void, onError?: (e: Error) => void): UdpTtlSocket => {
  const Ctor = (loadPacketAddon() as unknown as Binding).UdpTtlSocket
  if (Ctor === undefined || typeof Ctor.prototype.send !== 'function') throw new Error("IronLB's addon predates UdpTtlSocket's send: rebuild it with `make native`")
  const native = withCode(() => new Ctor(o))
  if (onDatagram !== undefined)
    native.start((err, bytes, from, port, ttl) => {
      if (err !== null) return onError?.(err)
      if (bytes !== undefined) onDatagram({ bytes, from: from ?? '', port: port ?? 0, ttl: ttl ?? -1 })
    })
  return { port: () => native.port(), device: () => native.device(), send: (bytes, address, port) => withCode(() => native.send(bytes, address, port)), close: () => native.close() }
}
