// shell/bgp's socket seams on the addon, on loopback: the listener keys peers with the sessions'
// passwords, refuses a peer of the other family by name, and the dialler
// carries password and TTL. Against a router: tcpSocket.netns.spec.ts.
import { once } from 'node:events'
import type { AddressInfo, Server } from 'node:net'
import t from 'tap'
import { nativeDialer, nativeListen } from '../../../shell/native/bgpSockets.js'
import { isPacketAddonBuilt } from '../../../shell/native/packetSocket.js'
import { Md5Password, tcpSocketOptions } from '../../../shell/native/tcpSocket.js'

const skip = isPacketAddonBuilt() ? false : 'addon not built (make native)'
const md5 = (text: string): Md5Password => Md5Password.fromBytes(Buffer.from(text, 'utf8'))
const PASSWORD = md5('pässwörd-7') // not ASCII: the bytes go as they are

const dials = async (port: number, md5Password: Md5Password | undefined, ms: number): Promise<boolean> => {
  const s = nativeDialer({ host: '127.0.0.1', port }, { localAddress: '127.0.0.1', ttl: 64, ...(md5Password === undefined ? {} : { md5Password }) })
  s.on('error', () => undefined)
  const ok = await Promise.race([once(s, 'connect').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))])
  s.destroy()
  return ok
}

t.test('nativeListen keys its peers; nativeDialer signs with the same password', { skip }, async (t) => {
  const server: Server = nativeListen({ host: '127.0.0.1', port: 0, md5: new Map([['127.0.0.1', PASSWORD]]) }, (s) => s.destroy())
  t.teardown(() => server.close())
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  t.ok(await dials(port, PASSWORD, 5_000), 'the same password')
  t.notOk(await dials(port, md5('pässwörd-8'), 1_500), 'another password')
  t.notOk(await dials(port, undefined, 1_500), 'no password')
})

t.test('nativeDialer sets the TTL and the device before the SYN', { skip }, async (t) => {
  const server: Server = nativeListen({ host: '127.0.0.1', port: 0, md5: new Map() }, (s) => s.destroy())
  t.teardown(() => server.close())
  await once(server, 'listening')
  const s = nativeDialer({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }, { ttl: 255, device: 'lo' })
  t.teardown(() => s.destroy())
  s.on('error', () => undefined)
  t.same(tcpSocketOptions(s), { family: 4, ttl: 255, minTtl: 0, bindDevice: 'lo' })
})

t.test('refusals name what is wrong', { skip }, async (t) => {
  t.throws(() => nativeListen({ host: '127.0.0.1', port: 0, md5: new Map([['2001:db8::1', PASSWORD]]) }, () => undefined), /peer 2001:db8::1 cannot be keyed on the IPv4 listener 127\.0\.0\.1: listen once per family/)
  t.throws(() => nativeDialer({ host: 'router.example', port: 179 }, {}), /peer address "router.example" is not an IP address/)
  t.throws(() => nativeListen({ host: '', port: 179, md5: new Map() }, () => undefined), /listen address "" is not an IP address/)
})

// An unnumbered peer is a scoped link-local address ("fe80::1%lo"); the kernel keys TCP MD5 by address
// alone, so the zone is dropped from the key (the addon refuses it) but kept for the dial.
t.test('a link-local peer with its zone: keyed on the listener, and dialled with its key', { skip }, async (t) => {
  const server = nativeListen({ host: '::1', port: 0, md5: new Map([['fe80::1%lo', PASSWORD]]) }, (s) => s.destroy())
  t.teardown(() => server.close())
  const listening = await Promise.race([once(server, 'listening').then(() => 'listening'), once(server, 'error').then(([e]) => String(e))])
  t.equal(listening, 'listening', 'the IPv6 listener keyed for fe80::1')
  let s: ReturnType<typeof nativeDialer> | undefined
  t.doesNotThrow(() => {
    s = nativeDialer({ host: 'fe80::1%lo', port: 9 }, { md5Password: PASSWORD })
  }, 'a scoped target with a password dials')
  s?.on('error', () => undefined)
  s?.destroy()
})
