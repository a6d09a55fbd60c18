import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net'
import t from 'tap'
import { startBgpListener } from '../../../shell/bgp/listener.js'
import type { PeerSession } from '../../../shell/bgp/peerSession.js'
import { nodeDialer, nodeListen } from '../../../shell/bgp/socketOptions.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { Md5Password } from '../../../shell/native/tcpSocket.js'

t.test("Node's sockets refuse what only the native addon can do, naming it, instead of dropping it", async (t) => {
  const rows = [
    { desc: 'TTL (ebgpMultiHop)', in: { ttl: 255 }, want: /ttl need the native socket addon/ },
    { desc: 'TCP MD5', in: { md5Password: Md5Password.fromBytes(Buffer.from('secret')) }, want: /md5Password need the native/ },
    { desc: 'a VRF device', in: { device: 'red' }, want: /device need the native/ },
  ]
  for (const r of rows) t.throws(() => nodeDialer({ host: '127.0.0.1', port: 9 }, r.in), r.want, r.desc)
  t.throws(() => nodeListen({ host: '127.0.0.1', port: 0, md5: new Map([['192.0.2.1', Md5Password.fromBytes(Buffer.from('x'))]]) }, () => undefined), /TCP MD5 on the BGP listener/)
  t.doesNotThrow(() => nodeDialer({ host: '127.0.0.1', port: 9 }, { localAddress: '127.0.0.1', device: '' }).destroy(), 'sourceAddress alone is fine')
})

t.test('the listener hands a connection to the session of its remote address and closes others', async (t) => {
  let server: Server | undefined
  const accepted: Socket[] = []
  const session = { accept: (s: Socket) => void accepted.push(s) } as unknown as PeerSession
  const known = new Set<string>()
  const listener = startBgpListener({
    host: '127.0.0.1',
    port: 0,
    sessionFor: (remote) => (known.has(remote) ? session : undefined),
    listen: (at, onSocket) => {
      server = createServer(onSocket)
      server.listen({ host: at.host, port: at.port })
      return server
    },
    log: silentLogger,
  })
  t.teardown(() => listener.close())
  await new Promise((r) => server?.once('listening', r))
  const port = (server?.address() as AddressInfo).port
  const closed = (s: Socket): Promise<void> => new Promise((r) => s.once('close', () => r()))
  const stranger = connect({ host: '127.0.0.1', port })
  await closed(stranger)
  t.equal(accepted.length, 0, 'an address no session knows is closed')
  known.add('127.0.0.1')
  const peer = connect({ host: '127.0.0.1', port })
  for (let i = 0; i < 50 && accepted.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
  t.equal(accepted.length, 1, 'a configured peer reaches its session')
  for (const s of accepted) s.destroy()
  peer.destroy()
})
