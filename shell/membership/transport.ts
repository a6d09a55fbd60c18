// One UDP socket for the detector (memberlist's default port 7946). Datagrams in, datagrams out;
// nothing here knows the message format.
import { createSocket, type Socket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import type { Endpoint } from '../../core/membership/member.js'

interface Transport {
  /** The bound port (useful when asked for port 0). */
  readonly port: number
  readonly send: (to: Endpoint, bytes: Uint8Array, done: (err: Error | null) => void) => void
  readonly close: () => Promise<void>
}

export const openUdp = (
  bindAddress: string,
  port: number,
  onDatagram: (bytes: Buffer, from: Endpoint) => void,
  onError: (err: Error) => void,
): Promise<Transport> =>
  new Promise((resolve, reject) => {
    const socket: Socket = createSocket({ type: isIPv6(bindAddress) ? 'udp6' : 'udp4', reuseAddr: false })
    let closed = false
    const fail = (err: Error): void => {
      socket.close()
      reject(err)
    }
    socket.once('error', fail)
    socket.on('message', (msg, rinfo) => onDatagram(msg, { host: rinfo.address, port: rinfo.port }))
    socket.bind(port, bindAddress, () => {
      socket.off('error', fail)
      socket.on('error', onError)
      resolve({
        port: socket.address().port,
        send: (to, bytes, done) => {
          if (closed) return done(new Error('socket closed'))
          socket.send(bytes, to.port, to.host, (err) => done(err ?? null))
        },
        close: () =>
          new Promise<void>((res) => {
            if (closed) return res()
            closed = true
            socket.close(() => res())
          }),
      })
    })
  })
