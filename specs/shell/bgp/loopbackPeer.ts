// The test as the BGP peer of a real startPeerSession over loopback TCP: a listener on 127.0.0.1 (a
// free port) that the session dials, each accepted connection read into whole messages (framed by
// the header's length; the session's own output, so the core framing is trusted here), with helpers
// to bring a connection to Established. Everything is bounded in time; close() ends every socket.
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net'
import { splitMessages, type RawMessage } from '../../../core/bgp/header.js'
import { encodeMessage } from '../../../core/bgp/message.js'
import { AFI, SAFI_UNICAST } from '../../../core/bgp/open.js'

export const PEER_ASN = 64_512
export const OUR_ASN = 64_513
/** 192.0.2.2 and 192.0.2.1 as router ids. */
export const PEER_ROUTER_ID = 0xc0000202
export const OUR_ROUTER_ID = 0xc0000201

export interface PeerConn {
  readonly socket: Socket
  /** The next whole message the session sent, or 'closed' when it closed first, or 'timeout'. */
  readonly next: (timeoutMs: number) => Promise<RawMessage | 'closed' | 'timeout'>
  readonly send: (bytes: Uint8Array) => void
  readonly isClosed: () => boolean
}

const wrap = (socket: Socket): PeerConn => {
  let pending: Uint8Array = new Uint8Array(0)
  const queue: RawMessage[] = []
  let closed = false
  let wake: (() => void) | undefined
  socket.on('data', (chunk: Buffer) => {
    const framed = splitMessages(Uint8Array.from([...pending, ...chunk]))
    queue.push(...framed.messages)
    pending = framed.rest
    wake?.()
  })
  socket.on('error', () => undefined)
  socket.on('close', () => {
    closed = true
    wake?.()
  })
  const next = async (timeoutMs: number): Promise<RawMessage | 'closed' | 'timeout'> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const m = queue.shift()
      if (m !== undefined) return m
      if (closed) return 'closed'
      const left = deadline - Date.now()
      if (left <= 0) return 'timeout'
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = undefined
    }
  }
  return { socket, next, send: (b) => void socket.write(b), isClosed: () => closed }
}

export interface LoopbackPeer {
  readonly port: number
  /** The next connection the session dials, in order. */
  readonly accept: (timeoutMs: number) => Promise<PeerConn | undefined>
  readonly close: () => Promise<void>
}

/** Listens on `port` (0: any free one); resolves false when the port is taken. */
const listenOn = (server: Server, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const fail = (): void => resolve(false)
    server.once('error', fail)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail)
      resolve(true)
    })
  })

/**
 * `lowPort`: listen below 16384 (a BGPPeer's peerPort may not be higher), on the first free one of
 * up to 20 random picks in 10000-16383; otherwise any free port.
 */
export const loopbackPeer = async (lowPort = false): Promise<LoopbackPeer> => {
  const waiting: PeerConn[] = []
  const all: Socket[] = []
  let wake: (() => void) | undefined
  const server: Server = createServer((s) => {
    s.setNoDelay(true)
    all.push(s)
    waiting.push(wrap(s))
    wake?.()
  })
  let listening = false
  for (let i = 0; i < 20 && !listening; i++) listening = await listenOn(server, lowPort ? 10_000 + Math.floor(Math.random() * 6_384) : 0)
  if (!listening) throw new Error('no free port for the loopback peer')
  const accept = async (timeoutMs: number): Promise<PeerConn | undefined> => {
    const deadline = Date.now() + timeoutMs
    while (waiting.length === 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now())
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      wake = undefined
    }
    return waiting.shift()
  }
  const close = async (): Promise<void> => {
    for (const s of all) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return { port: (server.address() as AddressInfo).port, accept, close }
}

/** The peer's OPEN: IPv4 unicast, route refresh, four-octet AS. */
export const peerOpen = (): Uint8Array =>
  encodeMessage(
    {
      _tag: 'Open',
      open: {
        asn: PEER_ASN,
        holdTimeSeconds: 90,
        routerId: PEER_ROUTER_ID,
        capabilities: [{ _tag: 'Multiprotocol', afi: AFI.IPv4, safi: SAFI_UNICAST }, { _tag: 'RouteRefresh' }, { _tag: 'FourOctetAs', asn: PEER_ASN }],
      },
    },
    { fourOctetAs: true },
  )

export const KEEPALIVE = encodeMessage({ _tag: 'Keepalive' }, { fourOctetAs: true })

/**
 * Takes the session's next dial to Established: its OPEN, ours and a KEEPALIVE, its KEEPALIVE, then
 * the first `updates` UPDATEs it sends on Up (its routes, then End-of-RIB). Returns the connection, or why not.
 */
export const establish = async (peer: LoopbackPeer, timeoutMs: number, updates = 1): Promise<PeerConn | string> => {
  const conn = await peer.accept(timeoutMs)
  if (conn === undefined) return 'no dial'
  const open = await conn.next(timeoutMs)
  if (typeof open === 'string' || open.type !== 'OPEN') return `expected OPEN, got ${typeof open === 'string' ? open : open.type}`
  conn.send(peerOpen())
  conn.send(KEEPALIVE)
  const ka = await conn.next(timeoutMs)
  if (typeof ka === 'string' || ka.type !== 'KEEPALIVE') return `expected KEEPALIVE, got ${typeof ka === 'string' ? ka : ka.type}`
  for (let i = 0; i < updates; i++) {
    const u = await conn.next(timeoutMs)
    if (typeof u === 'string' || u.type !== 'UPDATE') return `expected UPDATE ${i + 1} of ${updates}, got ${typeof u === 'string' ? u : u.type}`
  }
  return conn
}
