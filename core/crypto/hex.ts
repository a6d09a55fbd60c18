// Hex text <-> bytes. Lower-case output; input may be either case and may carry whitespace or ':'
// separators (as tcpdump and MAC addresses print them). Decoding returns undefined on anything
// that is not an even run of hex digits, so callers at the edge decide what an error means.

const DIGITS = '0123456789abcdef'

export const toHex = (bytes: Uint8Array): string => {
  let out = ''
  for (const b of bytes) out += (DIGITS[b >> 4] ?? '') + (DIGITS[b & 0x0f] ?? '')
  return out
}

export const fromHex = (text: string): Uint8Array | undefined => {
  const clean = text.replace(/[\s:]/g, '')
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined
  const out = new Uint8Array(clean.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16)
  return out
}
