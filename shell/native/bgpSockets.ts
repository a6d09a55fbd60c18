// The BGP session's socket seams (shell/bgp/socketOptions.ts: Dialer, Listen) on the addon's TCP
// sockets, so ttl (ebgpMultiHop), md5Password and device (VRF) are honoured instead of refused.
// A listener keys peers of its own family only: IPv6 sockets are IPv6 only (tcp_socket.cc), so a
// speaker with IPv4 and IPv6 passive peers listens once per family. An unnumbered peer's address
// carries its zone ("fe80::1%eth0"): the kernel keys TCP MD5 by address alone, so the key drops it.
import { isIP } from 'node:net'
import type { Dialer, Listen } from '../bgp/socketOptions.js'
import { dialTcp, serveTcp } from './tcpSocket.js'

const familyOf = (ip: string, what: string): 4 | 6 => {
  const f = isIP(ip)
  if (f !== 4 && f !== 6) throw new TypeError(`${what} "${ip}" is not an IP address`)
  return f
}

/** The address a TCP MD5 key names: a link-local one without its zone. */
const keyAddress = (ip: string): string => ip.replace(/%.*$/, '')

export const nativeDialer: Dialer = (target, o) => {
  const s = dialTcp({
    family: familyOf(target.host, 'peer address'),
    host: target.host,
    port: target.port,
    ...(o.localAddress === undefined ? {} : { sourceAddress: o.localAddress }),
    ...(o.ttl === undefined ? {} : { ttl: o.ttl }),
    ...(o.device === undefined || o.device === '' ? {} : { bindDevice: o.device }),
    ...(o.md5Password === undefined ? {} : { md5Keys: [{ peer: keyAddress(target.host), password: o.md5Password }] }),
  })
  s.setNoDelay(true)
  return s
}

export const nativeListen: Listen = (at, onSocket) => {
  const family = familyOf(at.host, 'listen address')
  const md5Keys = [...at.md5].map(([peer, password]) => {
    if (familyOf(peer, 'peer address') !== family) throw new TypeError(`peer ${peer} cannot be keyed on the IPv${family} listener ${at.host}: listen once per family`)
    return { peer: keyAddress(peer), password }
  })
  return serveTcp({ family, sourceAddress: at.host, sourcePort: at.port, md5Keys }, (s) => {
    s.setNoDelay(true)
    onSocket(s)
  }).server
}
