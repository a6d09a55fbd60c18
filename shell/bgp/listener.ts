// The speaker's BGP listener (passive peers, and the peer's side of a collision): one socket on
// port 179 for every session, handing each accepted connection to the session of its remote
// address. A connection from an address no session knows is closed at once (RFC 4271 §8.2.1.1:
// only configured peers).
import type { Server, Socket } from 'node:net'
import { isIP } from 'node:net'
import type { Md5Password } from '../native/tcpSocket.js'
import type { Logger } from '../obs/log.js'
import type { PeerSession } from './peerSession.js'
import { type Listen, nodeListen } from './socketOptions.js'

export interface BgpListener {
  readonly close: () => Promise<void>
}

/** An IPv4-mapped IPv6 address (a dual-stack listener's view of an IPv4 peer) as plain IPv4. */
const plain = (address: string): string => (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address)

export const startBgpListener = (o: {
  readonly host: string
  readonly port: number
  readonly sessionFor: (remote: string) => PeerSession | undefined
  readonly md5?: ReadonlyMap<string, Md5Password>
  readonly listen?: Listen
  readonly log: Logger
}): BgpListener => {
  const onSocket = (s: Socket): void => {
    const remote = plain(s.remoteAddress ?? '')
    const session = o.sessionFor(remote)
    if (session === undefined) {
      o.log.info('bgp-connection-refused', { peer: remote, reason: 'NotAConfiguredPeer' })
      return void s.destroy()
    }
    session.accept(s)
  }
  const server: Server = (o.listen ?? nodeListen)({ host: o.host, port: o.port, md5: o.md5 ?? new Map() }, onSocket)
  server.on('error', (err) => o.log.warn('bgp-listener-error', { host: o.host, port: o.port, error: err }))
  return { close: () => new Promise((resolve) => server.close(() => resolve())) }
}
