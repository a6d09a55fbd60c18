// Big-endian writes, the counterpart of reader.ts: at a position in a buffer the caller sized, or in
// order through a Writer over a buffer sized up front by the codec's encodingLength, so it never grows.

export const putU16 = (b: Uint8Array, at: number, v: number): void => {
  b[at] = (v >>> 8) & 0xff
  b[at + 1] = v & 0xff
}
export const putU32 = (b: Uint8Array, at: number, v: number): void => {
  putU16(b, at, (v >>> 16) & 0xffff)
  putU16(b, at + 2, v & 0xffff)
}

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
      putU16(buf, at, v)
      at += 2
    },
    u32: (v) => {
      putU32(buf, at, v)
      at += 4
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
