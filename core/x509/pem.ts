// PEM armour (RFC 7468 §2): base64 of the DER in lines of 64 characters between BEGIN and END
// lines. Written here so that the core needs nothing from Node to produce a certificate file.
import type { Bytes } from './der.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

export const base64 = (bytes: Bytes): string => {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const [a = 0, b = 0, c = 0] = [bytes[i], bytes[i + 1], bytes[i + 2]]
    const n = (a << 16) | (b << 8) | c
    const left = bytes.length - i
    out += ALPHABET[(n >> 18) & 63]
    out += ALPHABET[(n >> 12) & 63]
    out += left > 1 ? ALPHABET[(n >> 6) & 63] : '='
    out += left > 2 ? ALPHABET[n & 63] : '='
  }
  return out
}

export const pem = (label: string, der: Bytes): string => {
  const body = base64(der).match(/.{1,64}/g) ?? []
  return [`-----BEGIN ${label}-----`, ...body, `-----END ${label}-----`, ''].join('\n')
}
