// A tiny frame builder for the packet specs, written apart from the encoders under test: it glues
// hex text together and computes its own checksum, so an encoder bug cannot hide in the expectation.
export const bytes = (...hexParts: string[]): Uint8Array => {
  const clean = hexParts.join('').replace(/[\s:.]/g, '')
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(clean)) throw new Error(`bad hex in builder: ${clean}`)
  return Uint8Array.from(Buffer.from(clean, 'hex'))
}

export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export const macHex = (mac: string): string => mac.toLowerCase().replace(/:/g, '')

export const v4Hex = (ip: string): string =>
  ip
    .split('.')
    .map((n) => Number(n).toString(16).padStart(2, '0'))
    .join('')

/** Expands IPv6 text by hand (no embedded IPv4), 32 hex digits. */
export const v6Hex = (ip: string): string => {
  const [head = '', tail] = ip.split('::')
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'))
  const h = groups(head)
  const t = tail === undefined ? [] : groups(tail)
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
  return all.map((g) => g.padStart(4, '0')).join('')
}

export const u16Hex = (n: number): string => (n & 0xffff).toString(16).padStart(4, '0')

/** RFC 1071, the plain way: sum 16-bit words, fold, invert. */
export const checksumOf = (b: Uint8Array): number => {
  let sum = 0
  for (let i = 0; i < b.length; i += 2) sum += ((b[i] ?? 0) << 8) + (b[i + 1] ?? 0)
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16)
  return ~sum & 0xffff
}

export const pad60 = (b: Uint8Array): Uint8Array => {
  if (b.length >= 60) return b
  const out = new Uint8Array(60)
  out.set(b)
  return out
}

export interface MkArp {
  dst?: string
  src?: string
  ethertype?: number
  htype?: number
  ptype?: number
  op?: number
  sha?: string
  spa?: string
  tha?: string
  tpa?: string
}

export const mkArpFrame = (a: MkArp = {}): Uint8Array =>
  pad60(
    bytes(
      macHex(a.dst ?? 'ff:ff:ff:ff:ff:ff'),
      macHex(a.src ?? '02:00:5e:10:00:0a'),
      u16Hex(a.ethertype ?? 0x0806),
      u16Hex(a.htype ?? 1),
      u16Hex(a.ptype ?? 0x0800),
      '0604',
      u16Hex(a.op ?? 1),
      macHex(a.sha ?? a.src ?? '02:00:5e:10:00:0a'),
      v4Hex(a.spa ?? '198.51.100.1'),
      macHex(a.tha ?? '00:00:00:00:00:00'),
      v4Hex(a.tpa ?? '198.51.100.10'),
    ),
  )

export interface MkOption {
  type: number
  /** Value bytes after type and length; the length byte is derived unless `units` is given. */
  value: string
  units?: number
}
export const slla = (mac: string): MkOption => ({ type: 1, value: macHex(mac) })
export const tlla = (mac: string): MkOption => ({ type: 2, value: macHex(mac) })

export interface MkNdp {
  ethDst?: string
  ethSrc?: string
  src?: string
  dst?: string
  hopLimit?: number
  type?: number
  code?: number
  /** The 32-bit word after the checksum: R|S|O flags for an NA. */
  word?: number
  target?: string
  options?: MkOption[]
  /** Added to the correct checksum (0 keeps it right). */
  checksumDelta?: number
}

export const mkNdpFrame = (n: MkNdp = {}): Uint8Array => {
  const src = n.src ?? 'fe80::5eff:fe10:a'
  const target = n.target ?? '2001:db8:100::10'
  const dst = n.dst ?? `ff02::1:ff${v6Hex(target).slice(26, 28)}:${v6Hex(target).slice(28)}`
  const opts = (n.options ?? [slla(n.ethSrc ?? '02:00:5e:10:00:0a')])
    .map((o) => {
      const units = o.units ?? Math.ceil((o.value.length / 2 + 2) / 8)
      const v = o.value.padEnd((units * 8 - 2) * 2, '0')
      return o.type.toString(16).padStart(2, '0') + units.toString(16).padStart(2, '0') + v
    })
    .join('')
  const body = bytes(
    (n.type ?? 135).toString(16).padStart(2, '0'),
    (n.code ?? 0).toString(16).padStart(2, '0'),
    '0000',
    ((n.word ?? 0) >>> 0).toString(16).padStart(8, '0'),
    v6Hex(target),
    opts,
  )
  const pseudo = bytes(v6Hex(src), v6Hex(dst), (body.length >>> 0).toString(16).padStart(8, '0'), '0000003a')
  const both = new Uint8Array(pseudo.length + body.length)
  both.set(pseudo)
  both.set(body, pseudo.length)
  const sum = (checksumOf(both) + (n.checksumDelta ?? 0)) & 0xffff
  body[2] = sum >> 8
  body[3] = sum & 0xff
  const ethDst = n.ethDst ?? `33:33:${v6Hex(dst).slice(24, 26)}:${v6Hex(dst).slice(26, 28)}:${v6Hex(dst).slice(28, 30)}:${v6Hex(dst).slice(30)}`
  return pad60(
    bytes(
      macHex(ethDst),
      macHex(n.ethSrc ?? '02:00:5e:10:00:0a'),
      '86dd',
      '60000000',
      u16Hex(body.length),
      '3a',
      (n.hopLimit ?? 255).toString(16).padStart(2, '0'),
      v6Hex(src),
      v6Hex(dst),
      hexOf(body),
    ),
  )
}
