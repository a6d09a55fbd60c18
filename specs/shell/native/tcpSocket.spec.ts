// The TCP socket options wrapper on loopback only (no namespaces): the password never prints, bad
// arguments are refused with the field named and the key nowhere, options read back from the kernel,
// and MD5 on a real connection: the right key connects, a wrong or missing one does not, and a key
// removed from the listening socket lets an unsigned peer in. Routers and devices: tcpSocket.netns.spec.ts.
import { once } from 'node:events'
import type { AddressInfo, Server, Socket } from 'node:net'
import { format, inspect } from 'node:util'
import fc from 'fast-check'
import t, { type Test } from 'tap'
import { isPacketAddonBuilt } from '../../../shell/native/packetSocket.js'
import { dialTcp, listenTcp, Md5Password, tcpSocketOptions } from '../../../shell/native/tcpSocket.js'

const SECRET = 'topsecret-7f3a'
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

t.test('a password prints as [redacted] every way Node prints things', async (t) => {
  const p = Md5Password.fromBytes(bytes(SECRET))
  const printed = [String(p), `${p}`, JSON.stringify({ p }), inspect(p), inspect({ p }, { showHidden: true, depth: 5 }), format('%s %o %O %j', p, p, p, p)]
  for (const s of printed) {
    t.notMatch(s, SECRET, s)
    t.notMatch(s, Buffer.from(SECRET).toString('hex'), s)
  }
  t.equal(String(p), '[redacted]')
  t.equal(JSON.stringify({ p }), '{"p":"[redacted]"}')
  t.same(Object.keys(p), [], 'no enumerable field to walk into')
})

t.test('a password is 1 to 80 bytes', async (t) => {
  t.throws(() => Md5Password.fromBytes(new Uint8Array(0)), /1 to 80 bytes, got 0/)
  t.throws(() => Md5Password.fromBytes(new Uint8Array(81)), /1 to 80 bytes, got 81/)
  t.doesNotThrow(() => Md5Password.fromBytes(new Uint8Array(80)))
})

const skip = isPacketAddonBuilt() ? false : 'addon not built (make native)'

/** Listens on 127.0.0.1 with `key` for 127.0.0.1 (if any); counts what it accepts; closed at teardown. */
const loopbackListener = async (t: Test, key: Md5Password | undefined): Promise<{ port: number; accepted: Socket[]; setMd5Key: (p: Md5Password | null) => void; server: Server }> => {
  const accepted: Socket[] = []
  const l = await listenTcp({ family: 4, sourceAddress: '127.0.0.1', sourcePort: 0, ...(key === undefined ? {} : { md5Keys: [{ peer: '127.0.0.1', password: key }] }) }, (s) => {
    accepted.push(s)
    s.on('error', () => undefined)
  })
  t.teardown(() => {
    for (const s of accepted) s.destroy()
    l.server.close()
  })
  return { port: (l.server.address() as AddressInfo).port, accepted, setMd5Key: (p) => l.setMd5Key('127.0.0.1', p), server: l.server }
}

/** Dials and reports whether the handshake completed within `ms` (the socket is destroyed after). */
const connects = async (port: number, key: Md5Password | undefined, ms: number): Promise<boolean> => {
  const s = dialTcp({ family: 4, host: '127.0.0.1', port, ...(key === undefined ? {} : { md5Keys: [{ peer: '127.0.0.1', password: key }] }) })
  s.on('error', () => undefined)
  const timer = new Promise<boolean>((r) => setTimeout(() => r(false), ms))
  const ok = await Promise.race([once(s, 'connect').then(() => true), timer])
  s.destroy()
  return ok
}

t.test('bad arguments: the field is named, the key is not', { skip }, async (t) => {
  const password = Md5Password.fromBytes(bytes(SECRET))
  const rows = [
    { desc: 'a peer of the wrong family', in: { family: 4 as const, md5Keys: [{ peer: '2001:db8::1', password }] }, want: /md5Keys\[0\]\.peer "2001:db8::1" is not an IPv4 address/ },
    { desc: 'a prefix too long', in: { family: 6 as const, md5Keys: [{ peer: '2001:db8::', prefixLength: 129, password }] }, want: /md5Keys\[0\]\.prefixLength must be an integer from 0 to 128/ },
    { desc: 'a TTL of 0', in: { family: 4 as const, ttl: 0 }, want: /ttl must be an integer from 1 to 255/ },
    { desc: 'a minimum TTL over 255', in: { family: 6 as const, minTtl: 256 }, want: /minTtl must be an integer from 1 to 255/ },
    { desc: 'a device name over 15 characters', in: { family: 4 as const, bindDevice: 'a-very-long-device' }, want: /bindDevice must be 1 to 15 characters/ },
    { desc: 'a source address of the wrong family', in: { family: 6 as const, sourceAddress: '192.0.2.1' }, want: /sourceAddress "192.0.2.1" is not an IPv6 address/ },
  ]
  for (const row of rows) {
    const e = t.throws(() => dialTcp({ ...row.in, host: row.in.family === 4 ? '127.0.0.1' : '::1', port: 9 }), row.want, row.desc) as unknown as Error
    t.notMatch(`${e.message} ${e.stack ?? ''} ${inspect(e)}`, SECRET, `${row.desc}: no key in the error`)
  }
  t.throws(() => dialTcp({ family: 4, host: 'localhost', port: 9 }), /host "localhost" must be an IPv4 address/, 'a name is refused: it would be resolved onto a new socket')
})

t.test('a kernel refusal carries errno, syscall and code, and names the device', { skip }, async (t) => {
  const e = t.throws(() => dialTcp({ family: 4, host: '127.0.0.1', port: 9, bindDevice: 'nosuch0' })) as unknown as NodeJS.ErrnoException
  t.equal(e.syscall, 'setsockopt(SO_BINDTODEVICE)')
  t.equal(e.code, 'ENODEV')
  t.type(e.errno, 'number')
  t.match(e.message, /device nosuch0/)
})

t.test('options read back from the kernel', { skip }, async (t) => {
  const l = await listenTcp({ family: 4, sourceAddress: '127.0.0.1', sourcePort: 0, ttl: 9, minTtl: 200, bindDevice: 'lo' }, (s) => s.destroy())
  t.teardown(() => l.server.close())
  t.same(tcpSocketOptions(l.server), { family: 4, ttl: 9, minTtl: 200, bindDevice: 'lo' })
  const s = dialTcp({ family: 4, host: '127.0.0.1', port: (l.server.address() as AddressInfo).port, ttl: 17 })
  t.teardown(() => s.destroy())
  t.same(tcpSocketOptions(s), { family: 4, ttl: 17, minTtl: 0, bindDevice: '' })
  const v6 = await listenTcp({ family: 6, sourceAddress: '::1', sourcePort: 0, ttl: 3, minTtl: 254 }, (c) => c.destroy())
  t.teardown(() => v6.server.close())
  t.same(tcpSocketOptions(v6.server), { family: 6, ttl: 3, minTtl: 254, bindDevice: '' }, 'IPV6_UNICAST_HOPS and IPV6_MINHOPCOUNT')
})

t.test('MD5 on loopback: the right key connects, a wrong or missing key does not', { skip }, async (t) => {
  const key = Md5Password.fromBytes(bytes(SECRET))
  const l = await loopbackListener(t, key)
  t.ok(await connects(l.port, key, 5_000), 'the right key')
  t.equal(l.accepted.length, 1)
  t.notOk(await connects(l.port, Md5Password.fromBytes(bytes('wrong')), 1_500), 'a wrong key: the SYN is dropped')
  t.notOk(await connects(l.port, undefined, 1_500), 'no key: the SYN is dropped')
  t.equal(l.accepted.length, 1, 'nothing else accepted')
  l.setMd5Key(null)
  t.ok(await connects(l.port, undefined, 5_000), 'once the listening socket forgets the key, an unsigned peer connects')
  l.setMd5Key(key)
  t.notOk(await connects(l.port, undefined, 1_500), 'and a key added back on the listening socket shuts it out again')
  t.ok(await connects(l.port, key, 5_000), 'while the keyed peer still connects')
})

t.test('MD5 over IPv6, a key for a whole prefix, one port per family, IPv6 sockets IPv6 only', { skip }, async (t) => {
  const key = Md5Password.fromBytes(bytes(SECRET))
  const accepted: string[] = []
  const v6 = await listenTcp({ family: 6, sourceAddress: '::1', sourcePort: 0, md5Keys: [{ peer: '::', prefixLength: 0, password: key }] }, (s) => {
    accepted.push(s.remoteAddress ?? '')
    s.destroy()
  })
  t.teardown(() => v6.server.close())
  const port = (v6.server.address() as AddressInfo).port
  const v4 = await listenTcp({ family: 4, sourceAddress: '127.0.0.1', sourcePort: port, md5Keys: [{ peer: '127.0.0.0', prefixLength: 8, password: key }] }, (s) => {
    accepted.push(s.remoteAddress ?? '')
    s.destroy()
  })
  t.teardown(() => v4.server.close())
  const dial6 = (password: Md5Password | undefined, ms: number): Promise<boolean> => {
    const s = dialTcp({ family: 6, host: '::1', port, ...(password === undefined ? {} : { md5Keys: [{ peer: '::1', password }] }) })
    s.on('error', () => undefined)
    return Promise.race([once(s, 'connect').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]).finally(() => s.destroy())
  }
  t.ok(await dial6(key, 5_000), 'IPv6, the right key (the listener keys ::/0)')
  t.notOk(await dial6(undefined, 1_500), 'IPv6, no key')
  t.ok(await connects(port, key, 5_000), 'IPv4, the right key (the listener keys 127.0.0.0/8)')
  t.notOk(await connects(port, undefined, 1_500), 'IPv4, no key')
  t.same(accepted, ['::1', '127.0.0.1'], 'each family reached its own listener')
  const mapped = dialTcp({ family: 6, host: '::ffff:127.0.0.1', port, md5Keys: [{ peer: '::ffff:127.0.0.1', password: key }] })
  const outcome = await new Promise<string | undefined>((resolve) => {
    mapped.once('connect', () => resolve('connected'))
    mapped.once('error', (e: NodeJS.ErrnoException) => resolve(e.code))
  })
  mapped.destroy()
  t.equal(outcome, 'ENETUNREACH', 'an IPv6 socket is IPv6 only: it never reaches an IPv4 peer through a mapped address')
})

t.test('property: whatever the key and whichever option is refused, no error shows the key', { skip }, async (t) => {
  const bad = [
    { family: 4 as const, peer: '2001:db8::1' },
    { family: 6 as const, peer: '2001:db8::', prefixLength: 129 },
    { family: 4 as const, peer: '192.0.2.1', bindDevice: 'nosuch0' },
    { family: 4 as const, peer: '192.0.2.1', ttl: 256 },
    { family: 6 as const, peer: '2001:db8::1', sourceAddress: '2001:db8::1' }, // EADDRNOTAVAIL from bind
  ]
  let refused = 0
  // Printable passwords (what a Secret usually holds: every form of them is the same text) and any bytes.
  const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 8, maxLength: 80 }).map((s) => new Uint8Array(Buffer.from(s, 'latin1')))
  const keyBytes = fc.oneof(printable, fc.uint8Array({ minLength: 8, maxLength: 80 }))
  fc.assert(
    fc.property(keyBytes, fc.constantFrom(...bad), (key, o) => {
      const { peer, prefixLength, ...rest } = o as typeof o & { prefixLength?: number }
      const md5Keys = [{ peer, ...(prefixLength === undefined ? {} : { prefixLength }), password: Md5Password.fromBytes(key) }]
      try {
        dialTcp({ ...rest, md5Keys, host: rest.family === 4 ? '192.0.2.1' : '2001:db8::1', port: 179 }).destroy()
        return false
      } catch (e) {
        refused++
        const shown = `${(e as Error).message} ${(e as Error).stack ?? ''} ${inspect(e, { showHidden: true })} ${JSON.stringify(e)}`
        const forms = [Buffer.from(key).toString('hex'), Buffer.from(key).toString('base64'), Buffer.from(key).toString('latin1'), Buffer.from(key).toString('utf8'), [...key].join(',')]
        return forms.every((f) => !shown.includes(f))
      }
    }),
    { numRuns: 200 },
  )
  t.equal(refused, 200, 'every run was refused, none dialled')
})
