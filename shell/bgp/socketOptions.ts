// How a BGP session's TCP socket is made: the per-peer options (source address, port, TTL for
// ebgpMultiHop, TCP MD5, the VRF's device) and the seam where the project's native addon plugs in.
// Node's net module cannot set TTL before the SYN, nor TCP MD5, nor SO_BINDTODEVICE, so those need
// a socket made natively; until one is given, `nodeDialer` refuses options it cannot honour rather
// than silently dropping them (a session without its MD5 password would simply never come up).
import { type Server, type Socket, connect, createServer } from 'node:net'
import type { Md5Password } from '../native/tcpSocket.js'

export interface SocketOptions {
  /** sourceAddress: the local address to bind before dialling. */
  readonly localAddress?: string
  /** IP TTL / hop limit on every packet, SYN included: 255 with ebgpMultiHop, 1 towards a directly connected eBGP peer (as FRR does). */
  readonly ttl?: number
  /** TCP MD5 signature key (RFC 2385): bytes that print as "[redacted]" in logs, JSON and inspect. */
  readonly md5Password?: Md5Password
  /** The VRF's device to bind to (SO_BINDTODEVICE). */
  readonly device?: string
}

interface DialTarget {
  readonly host: string
  readonly port: number
}

/** Opens a connection; the socket's 'connect', 'data', 'error' and 'close' tell the rest. */
export type Dialer = (target: DialTarget, options: SocketOptions) => Socket

/** Listens for peers; `md5` is the key per peer address the kernel must check on the SYN. */
export type Listen = (at: { readonly host: string; readonly port: number; readonly md5: ReadonlyMap<string, Md5Password> }, onSocket: (s: Socket) => void) => Server

/** What only a native socket can do: named so a caller can refuse or log it. */
const needsNative = (o: SocketOptions): readonly string[] => [
  ...(o.ttl !== undefined ? ['ttl'] : []),
  ...(o.md5Password !== undefined ? ['md5Password'] : []),
  ...(o.device !== undefined && o.device !== '' ? ['device'] : []),
]

/** Node's own sockets: source address only. Throws on options only a native socket can honour. */
export const nodeDialer: Dialer = (target, options) => {
  const missing = needsNative(options)
  if (missing.length > 0) throw new Error(`BGP socket options ${missing.join(', ')} need the native socket addon (shell/native)`)
  const s = connect({ host: target.host, port: target.port, ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) })
  s.setNoDelay(true)
  return s
}

export const nodeListen: Listen = (at, onSocket) => {
  if (at.md5.size > 0) throw new Error('TCP MD5 on the BGP listener needs the native socket addon (shell/native)')
  const server = createServer({ noDelay: true }, onSocket)
  server.listen({ host: at.host, port: at.port })
  return server
}
