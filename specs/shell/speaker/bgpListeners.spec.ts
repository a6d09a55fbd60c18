// The speaker's BGP listeners (shell/speaker/bgpListeners.ts) with a recording Listen: one per family
// that has peers, the wildcard by default, each keyed with its family's passwords; reopened only when
// a peer or a password of that family changes; closed when its family has no peer; VRF peers are
// dialled only. Addresses from 192.0.2.0/24 and 2001:db8::/32; no socket is opened.
import t from 'tap'
import type { Server } from 'node:net'
import { EventEmitter } from 'node:events'
import type { Listen } from '../../../shell/bgp/socketOptions.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { bgpListeners } from '../../../shell/speaker/bgpListeners.js'
import { Redacted } from '../../../core/speaker/peerPassword.js'
import type { SessionSpec } from '../../../core/speaker/sessionPlan.js'

const spec = (peer: string, remote: string, password?: string, device?: string): SessionSpec => ({
  peer,
  config: { localAsn: 64500, peerAsn: { _tag: 'Fixed', asn: 64501 as never }, routerId: 1, holdTimeSeconds: 90, connectRetrySeconds: 5, dial: true, families: [4] },
  remote,
  port: 179,
  socket: { ...(password === undefined ? {} : { md5: Redacted.of(password) }), ...(device === undefined ? {} : { device }) },
  otherNextHops: {},
  bfd: undefined,
})

t.test('one listener per family, keyed; reopened only on a change; closed when empty', async (t) => {
  const did: string[] = []
  const listen: Listen = (at) => {
    did.push(`open ${at.host} [${[...at.md5.keys()].join(',')}]`)
    const server = new EventEmitter() as unknown as Server
    ;(server as unknown as { close: (cb: () => void) => void }).close = (cb) => {
      did.push(`close ${at.host}`)
      cb()
    }
    return server
  }
  const l = bgpListeners({ log: silentLogger, listen, port: 179, hosts: { v4: '0.0.0.0', v6: '::' }, sessionFor: () => undefined })
  const a = spec('a', '192.0.2.1', 'pw')
  const b = spec('b', '2001:db8::1')
  await l.ensure([a, b])
  t.same(did.splice(0), ['open 0.0.0.0 [192.0.2.1]', 'open :: []'])
  await l.ensure([spec('a', '192.0.2.1', 'pw'), b])
  t.same(did.splice(0), [], 'the same peers and passwords: nothing reopened')
  await l.ensure([spec('a', '192.0.2.1', 'other'), b])
  t.same(did.splice(0), ['close 0.0.0.0', 'open 0.0.0.0 [192.0.2.1]'], 'a password changed: that family only')
  await l.ensure([spec('a', '192.0.2.1', 'other'), spec('v', '2001:db8::2', undefined, 'red')])
  t.same(did.splice(0), ['close ::'], 'a VRF peer is dialled only; no IPv6 peer left')
  await l.close()
  t.same(did.splice(0), ['close 0.0.0.0'])
})

t.test("unnumbered: the router's address keyed once found (a password's), no reopen without one; calls never interleave", async (t) => {
  const did: string[] = []
  const listen: Listen = (at) => {
    did.push(`open ${at.host} [${[...at.md5.keys()].join(',')}]`)
    const server = new EventEmitter() as unknown as Server
    ;(server as unknown as { close: (cb: () => void) => void }).close = (cb) => {
      did.push(`close ${at.host}`)
      setTimeout(cb, 20) // a close that takes a while: a second call must wait for it
    }
    return server
  }
  const l = bgpListeners({ log: silentLogger, listen, port: 179, hosts: { v4: '0.0.0.0', v6: '::' }, sessionFor: () => undefined })
  const on = (remote: string, password?: string): SessionSpec => ({ ...spec('u', remote, password), discoverOn: 'eth0' })
  await l.ensure([on('eth0', 'pw')])
  t.same(did.splice(0), ['open :: []'], 'looked for: the IPv6 listener, no key yet')
  await l.ensure([on('fe80::1%eth0', 'pw')])
  t.same(did.splice(0), ['close ::', 'open :: [fe80::1%eth0]'], "found: reopened with the router's key")
  await Promise.all([l.ensure([on('fe80::2%eth0', 'pw')]), l.ensure([on('fe80::3%eth0', 'pw')])])
  t.same(did.splice(0), ['close ::', 'open :: [fe80::2%eth0]', 'close ::', 'open :: [fe80::3%eth0]'], 'two calls at once: one after the other')
  await l.ensure([on('eth0')])
  t.same(did.splice(0), ['close ::', 'open :: []'], 'the password removed')
  await l.ensure([on('fe80::1%eth0')])
  t.same(did.splice(0), [], 'found without a password: nothing to key, nothing reopened')
  await l.close()
})
