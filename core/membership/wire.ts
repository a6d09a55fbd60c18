// Bounds-checked big-endian reads and writes for the membership codec. A Reader never throws: every
// read reports failure as undefined and the codec turns that into a named DecodeError with the
// offset, so a decoder stays total over arbitrary bytes.

export interface Reader {
  readonly offset: () => number
  readonly u8: () => number | undefined
  readonly u16: () => number | undefined
  readonly u32: () => number | undefined
  readonly bytes: (n: number) => Uint8Array | undefined
}

export const reader = (buf: Uint8Array, start: number): Reader => {
  let at = start
  const have = (n: number): boolean => Number.isInteger(at) && at >= 0 && at + n <= buf.length
  return {
    offset: () => at,
    u8: () => {
      if (!have(1)) return undefined
      const v = buf[at] ?? 0
      at += 1
      return v
    },
    u16: () => {
      if (!have(2)) return undefined
      const v = ((buf[at] ?? 0) << 8) | (buf[at + 1] ?? 0)
      at += 2
      return v
    },
    u32: () => {
      if (!have(4)) return undefined
      const v = ((buf[at] ?? 0) * 0x100_0000 + (((buf[at + 1] ?? 0) << 16) | ((buf[at + 2] ?? 0) << 8) | (buf[at + 3] ?? 0)))
      at += 4
      return v
    },
    bytes: (n) => {
      if (!have(n)) return undefined
      const v = buf.subarray(at, at + n)
      at += n
      return v
    },
  }
}

/** A writer over a buffer sized up front by encodingLength, so it never grows. */
export interface Writer {
  readonly u8: (v: number) => void
  readonly u16: (v: number) => void
  readonly u32: (v: number) => void
  readonly bytes: (b: Uint8Array) => void
  readonly ascii: (s: string) => void
  readonly done: () => Uint8Array
}

export const writer = (size: number): Writer => {
  const buf = new Uint8Array(size)
  let at = 0
  return {
    u8: (v) => {
      buf[at++] = v & 0xff
    },
    u16: (v) => {
      buf[at++] = (v >>> 8) & 0xff
      buf[at++] = v & 0xff
    },
    u32: (v) => {
      buf[at++] = (v >>> 24) & 0xff
      buf[at++] = (v >>> 16) & 0xff
      buf[at++] = (v >>> 8) & 0xff
      buf[at++] = v & 0xff
    },
    bytes: (b) => {
      buf.set(b, at)
      at += b.length
    },
    ascii: (s) => {
      for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i) & 0x7f
    },
    done: () => buf,
  }
}

/** Bytes as ASCII text (names are checked against the node-name alphabet after this). */
export const asciiOf = (b: Uint8Array): string => {
  let s = ''
  for (const c of b) s += String.fromCharCode(c)
  return s
}
