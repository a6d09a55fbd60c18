// Ethernet MAC addresses (IEEE 802), branded so a random 6-byte array or string cannot stand in for
// one. Stored as lower-case colon text: comparable with ===, printable as is, and cheap to use as a
// Map key. Bytes on the wire are produced by macBytes / read by macAt.
declare const macBrand: unique symbol
export type Mac = string & { readonly [macBrand]: true }

const MAC_TEXT = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/

/** Accepts aa:bb:cc:dd:ee:ff in either case, or with '-' separators. */
export const parseMac = (text: string): Mac | undefined => {
  const t = text.trim().toLowerCase().replace(/-/g, ':')
  return MAC_TEXT.test(t) ? (t as Mac) : undefined
}

/** The caller guarantees 6 readable bytes at `at`. */
export const macAt = (bytes: Uint8Array, at: number): Mac => {
  const parts: string[] = []
  for (let i = 0; i < 6; i++) parts.push((bytes[at + i] ?? 0).toString(16).padStart(2, '0'))
  return parts.join(':') as Mac
}

export const macBytes = (mac: Mac): Uint8Array => Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)))

export const writeMac = (target: Uint8Array, at: number, mac: Mac): void => target.set(macBytes(mac), at)

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff' as Mac
export const ZERO_MAC = '00:00:00:00:00:00' as Mac

/** IEEE 802: the I/G bit (least significant bit of the first octet) marks group addresses. */
export const isGroupMac = (mac: Mac): boolean => (parseInt(mac.slice(0, 2), 16) & 1) === 1

/** An address one host can own: neither a group address nor all zeros. */
export const isUnicastMac = (mac: Mac): boolean => mac !== ZERO_MAC && !isGroupMac(mac)
