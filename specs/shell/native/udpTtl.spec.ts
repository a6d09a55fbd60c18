// The addon's TTL-reading UDP socket on loopback: each datagram comes with the TTL / hop limit it was
// sent with, its source address and port; a taken port fails with EADDRINUSE; close is idempotent.
// Its sending side: the TTL set is the TTL received; bound to a device it says so, a device that does
// not exist is ENODEV, and with reuseAddress a socket bound to a device shares a port with an unbound one.
import t from 'tap'
import { createSocket } from 'node:dgram'
import { type TtlDatagram, openUdpTtlSocket } from '../../../shell/native/udpTtl.js'
import { addonCandidates, isPacketAddonBuilt } from '../../../shell/native/packetSocket.js'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const sendFrom = (family: 4 | 6, to: number, ttl: number): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createSocket(family === 4 ? 'udp4' : 'udp6')
    s.bind(0, family === 4 ? '127.0.0.1' : '::1', () => {
      s.setTTL(ttl)
      const port = s.address().port
      s.send(Buffer.from('bfd'), to, family === 4 ? '127.0.0.1' : '::1', (err) => {
        s.close()
        if (err) reject(err)
        else resolve(port)
      })
    })
  })

// Tests are queued, not awaited at the top level: specs/allButCore.suite.ts imports every file inside
// one subtest, and a top-level await on a test queued behind it never returns.
const main = (): void => {
  for (const family of [4, 6] as const) {
    void t.test(`IPv${family}: the TTL it was sent with, source and bytes`, async (t) => {
      const got: TtlDatagram[] = []
      let wake: () => void = () => undefined
      const s = openUdpTtlSocket(
        { family, address: family === 4 ? '127.0.0.1' : '::1', port: 0 },
        (d) => {
          got.push(d)
          wake()
        },
        (e) => t.fail(e.message),
      )
      try {
        for (const ttl of [77, 255]) {
          const arrived = new Promise<void>((r) => (wake = r))
          const from = await sendFrom(family, s.port(), ttl)
          await Promise.race([arrived, new Promise((r) => setTimeout(r, 2_000))])
          const d = got.shift()
          t.same(d === undefined ? undefined : { ttl: d.ttl, from: d.from, port: d.port, text: d.bytes.toString() }, { ttl, from: family === 4 ? '127.0.0.1' : '::1', port: from, text: 'bfd' }, `TTL ${ttl}`)
        }
        t.throws(() => openUdpTtlSocket({ family, address: family === 4 ? '127.0.0.1' : '::1', port: s.port() }, () => undefined, () => undefined), { code: 'EADDRINUSE' }, 'a taken port')
      } finally {
        s.close()
        s.close()
      }
      t.equal(s.port(), -1, 'closed: no port')
    })
  }

  for (const family of [4, 6] as const) {
    void t.test(`IPv${family}: send with a TTL, bound to a device`, async (t) => {
      const loopback = family === 4 ? '127.0.0.1' : '::1'
      const got: TtlDatagram[] = []
      const rx = openUdpTtlSocket({ family, address: loopback, port: 0 }, (d) => got.push(d), (e) => t.fail(e.message))
      const tx = openUdpTtlSocket({ family, address: loopback, port: 0, ttl: 201, device: 'lo' })
      try {
        t.equal(tx.device(), 'lo', 'SO_BINDTODEVICE read back')
        t.equal(rx.device(), '', 'no device unless asked')
        tx.send(Buffer.from('bfd'), loopback, rx.port())
        for (let i = 0; i < 40 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 50))
        t.same(got.map((d) => ({ ttl: d.ttl, port: d.port, text: d.bytes.toString() })), [{ ttl: 201, port: tx.port(), text: 'bfd' }], 'received once, with the TTL it was sent with, from its port')
        t.throws(() => openUdpTtlSocket({ family, address: loopback, port: 0, device: 'nosuch0' }), { code: 'ENODEV' }, 'a device that does not exist')
        t.throws(() => tx.send(Buffer.from('x'), family === 4 ? '::1' : '127.0.0.1', 9), /not an IPv/, 'an address of the other family')
        const shared = openUdpTtlSocket({ family, address: family === 4 ? '0.0.0.0' : '::', port: 0, reuseAddress: true }, () => undefined)
        try {
          const onLo = openUdpTtlSocket({ family, address: family === 4 ? '0.0.0.0' : '::', port: shared.port(), reuseAddress: true, device: 'lo' }, () => undefined)
          t.equal(onLo.port(), shared.port(), 'reuseAddress: the device-bound socket shares the unbound one\'s port')
          onLo.close()
        } finally {
          shared.close()
        }
      } finally {
        tx.close()
        rx.close()
      }
    })
  }

  // The BFD worker thread holds these sockets; the speaker's process may exit while it runs. Node then
  // tears the worker's loop down, and a poll handle left open there aborted the whole process (134).
  void t.test('a worker thread ends with its socket started: the process exits cleanly', async (t) => {
    const addon = addonCandidates().find((p) => existsSync(p)) ?? ''
    const worker = [
      "const { parentPort } = require('node:worker_threads')",
      `const s = new (require(${JSON.stringify(addon)}).UdpTtlSocket)({ family: 4, address: '127.0.0.1', port: 0 })`,
      's.start(() => {})',
      "parentPort.postMessage('open')",
      'setInterval(() => {}, 1000)',
    ].join('\n')
    const main = `const { Worker } = require('node:worker_threads'); new Worker(${JSON.stringify(worker)}, { eval: true }).on('message', () => process.exit(0))`
    const r = spawnSync(process.execPath, ['-e', main], { encoding: 'utf8', timeout: 30_000 })
    t.same({ status: r.status, signal: r.signal }, { status: 0, signal: null }, `exit status 0, not an abort: ${r.stderr.slice(0, 300)}`)
  })
}

if (!isPacketAddonBuilt()) t.plan(0, 'skipped: the addon is not built (make native)')
else main()
