// Network-order bytes <-> the branded bigint IP of core/net/address. Packet codecs use these; the
// caller has already checked that 4 or 16 bytes are readable.
import { unsafeIp, type IP } from '../net/address.js'

export const ipv4At = (bytes: Uint8Array, at: number): IP => unsafeIp(4, readBig(bytes, at, 4))
export const ipv6At = (bytes: Uint8Array, at: number): IP => unsafeIp(6, readBig(bytes, at, 16))

const readBig = (bytes: Uint8Array, at: number, n: number): bigint => {
  let v = 0n
  for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(bytes[at + i] ?? 0)
  return v
}

/** Writes the address in network order: 4 bytes for IPv4, 16 for IPv6. */
export const writeIp = (target: Uint8Array, at: number, ip: IP): void => {
  const n = ip.family === 4 ? 4 : 16
  let v = ip.value
  for (let i = n - 1; i >= 0; i--) {
    target[at + i] = Number(v & 0xffn)
    v >>= 8n
  }
}

export const ipBytes = (ip: IP): Uint8Array => {
  const out = new Uint8Array(ip.family === 4 ? 4 : 16)
  writeIp(out, 0, ip)
  return out
}
