// TCP sockets with the options Node's net module cannot set (tcp_socket.cc makes them): TCP MD5
// signatures (RFC 2385) set before the SYN and on a listening socket, the device the socket is bound
// to (SO_BINDTODEVICE: a VRF's device, or an ordinary link), the TTL we send (eBGP multi-hop) and the
// lowest TTL we accept (GTSM, RFC 5082). The addon returns a bare descriptor; Node adopts it, so the
// rest is an ordinary net.Socket or net.Server.
//
// Dialling goes to an IP literal of the socket's family only: for a host name Node's connect would
// resolve and, with autoSelectFamily, try each address on a new socket, losing every option here.
import { closeSync } from 'node:fs'
import { createServer, isIP, type Server, Socket } from 'node:net'
import { getSystemErrorName, inspect } from 'node:util'
import { loadPacketAddon } from './packetSocket.js'

const REDACTED = '[redacted]'
const MAX_KEY_BYTES = 80 // TCP_MD5SIG_MAXKEYLEN
const secrets = new WeakMap<Md5Password, Uint8Array>()

/** A TCP MD5 key. It holds bytes, never prints them: toString, JSON and inspect all give "[redacted]". */
export class Md5Password {
  private constructor() {}
  /** Copies 1 to 80 bytes (RFC 2385 keys are bytes; Linux takes at most 80). */
  static fromBytes(bytes: Uint8Array): Md5Password {
    if (bytes.length < 1 || bytes.length > MAX_KEY_BYTES) throw new RangeError(`an MD5 password must be 1 to ${MAX_KEY_BYTES} bytes, got ${bytes.length}`)
    const p = new Md5Password()
    secrets.set(p, Uint8Array.from(bytes))
    return p
  }
  toString(): string {
    return REDACTED
  }
  toJSON(): string {
    return REDACTED
  }
  [inspect.custom](): string {
    return REDACTED
  }
}

export interface Md5Key {
  /** The peer's address (of the socket's family); with prefixLength, a whole prefix of peers. */
  readonly peer: string
  readonly prefixLength?: number
  readonly password: Md5Password
}

export interface TcpOptions {
  readonly family: 4 | 6
  readonly md5Keys?: readonly Md5Key[]
  /** SO_BINDTODEVICE: the VRF device, or an ordinary interface. */
  readonly bindDevice?: string
  readonly sourceAddress?: string
  readonly sourcePort?: number
  /** IP_TTL / IPV6_UNICAST_HOPS of every segment sent, 1 to 255. */
  readonly ttl?: number
  /** IP_MINTTL / IPV6_MINHOPCOUNT: segments with a lower TTL are dropped, 1 to 255. */
  readonly minTtl?: number
}

interface NativeKey {
  readonly peer: string
  readonly prefixLength?: number
  readonly key: Uint8Array | null
}
type NativeOptions = Omit<TcpOptions, 'md5Keys'> & { readonly md5Keys?: readonly NativeKey[]; readonly listen?: number }
interface TcpBinding {
  tcpSocket(o: NativeOptions): number
  setMd5Key(fd: number, k: NativeKey): void
  tcpSocketOptions(fd: number): { family: number; ttl: number; minTtl: number; bindDevice: string }
}

const binding = (): TcpBinding => {
  const b = loadPacketAddon() as ReturnType<typeof loadPacketAddon> & Partial<TcpBinding>
  if (typeof b.tcpSocket !== 'function' || typeof b.setMd5Key !== 'function' || typeof b.tcpSocketOptions !== 'function')
    throw new Error("IronLB's addon predates the TCP socket options: rebuild it with `make native`")
  return b as TcpBinding
}

/** The addon's errors carry errno and syscall; this adds Node's code (ENODEV, EADDRINUSE, ...). */
const withCode = <A>(f: () => A): A => {
  try {
    return f()
  } catch (e) {
    const errno = (e as { errno?: unknown }).errno
    if (e instanceof Error && typeof errno === 'number' && errno > 0) Object.assign(e, { code: getSystemErrorName(-errno) })
    throw e
  }
}

const nativeKey = (k: Md5Key): NativeKey => ({ peer: k.peer, ...(k.prefixLength === undefined ? {} : { prefixLength: k.prefixLength }), key: secrets.get(k.password) ?? null })

const nativeOptions = (o: TcpOptions): NativeOptions => {
  const { md5Keys, ...rest } = o
  return md5Keys === undefined ? rest : { ...rest, md5Keys: md5Keys.map(nativeKey) }
}

/** Opens a socket with `o` and connects it to `host` (an IP literal of o.family) and `port`. */
export const dialTcp = (o: TcpOptions & { readonly host: string; readonly port: number }): Socket => {
  if (isIP(o.host) !== o.family) throw new TypeError(`host "${o.host}" must be an IPv${o.family} address: a name would be resolved onto a new socket without these options`)
  const { host, port, ...options } = o
  const fd = withCode(() => binding().tcpSocket(nativeOptions(options)))
  let socket: Socket
  try {
    socket = new Socket({ fd })
  } catch (e) {
    closeSync(fd)
    throw e
  }
  return socket.connect(port, host)
}

export interface TcpListener {
  readonly server: Server
  /** Adds or replaces (a password) or removes (null) the key for `peer`, on the listening socket. */
  readonly setMd5Key: (peer: string, password: Md5Password | null, prefixLength?: number) => void
}

/**
 * A server on a listening socket made with `o` (sourceAddress and sourcePort are where); each accepted
 * socket inherits its options. Returns at once: 'listening' or 'error' follow on the server.
 */
export const serveTcp = (o: TcpOptions & { readonly backlog?: number }, onConnection: (s: Socket) => void): TcpListener => {
  const { backlog, ...options } = o
  const fd = withCode(() => binding().tcpSocket({ ...nativeOptions(options), listen: backlog ?? 511 }))
  const server = createServer(onConnection)
  server.listen({ fd })
  const setMd5Key = (peer: string, password: Md5Password | null, prefixLength?: number): void =>
    withCode(() => binding().setMd5Key(fd, { peer, ...(prefixLength === undefined ? {} : { prefixLength }), key: password === null ? null : (secrets.get(password) ?? null) }))
  return { server, setMd5Key }
}

/** serveTcp, once it listens. */
export const listenTcp = async (o: TcpOptions & { readonly backlog?: number }, onConnection: (s: Socket) => void): Promise<TcpListener> => {
  const l = serveTcp(o, onConnection)
  try {
    await new Promise<void>((resolve, reject) => {
      l.server.once('error', reject)
      l.server.once('listening', () => {
        l.server.off('error', reject)
        resolve()
      })
    })
  } catch (e) {
    l.server.close() // whether Node adopted the descriptor is not known here: never close it twice
    throw e
  }
  return l
}

/** What the kernel says a socket's options are (specs read them back). */
export const tcpSocketOptions = (s: Socket | Server): { family: number; ttl: number; minTtl: number; bindDevice: string } => {
  const fd = (s as unknown as { _handle?: { fd?: number } })._handle?.fd
  if (fd === undefined || fd < 0) throw new Error('the socket has no descriptor (closed, or not yet opened)')
  return withCode(() => binding().tcpSocketOptions(fd))
}
