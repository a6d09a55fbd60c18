// The detector's counters shared between its worker thread and the speaker's main thread: a
// SharedArrayBuffer the worker writes after each datagram or Tick and the main thread reads when
// asked. It replaces a stats message posted every 250 ms, which woke both threads 4 times a second
// for counters nobody read at idle. Each number is one aligned 8-byte slot (no torn values on the
// 64-bit platforms Node runs on); a reader may see one counter newer than another, never garbage.
import type { DropReason } from '../../core/membership/state.js'
import type { MembershipStats } from './detector.js'

type Scalar = Exclude<keyof MembershipStats, 'dropped'>

/** A slot per counter (the Records make both lists exhaustive): the scalars, then each drop reason. */
const SCALAR_SLOT: Readonly<Record<Scalar, number>> = { sent: 0, received: 1, bytesSent: 2, bytesReceived: 3, authFailures: 4, decodeFailures: 5, sendErrors: 6, keyRotations: 7, signingKeys: 8, incarnation: 9, alive: 10, awareness: 11, loopDelayMs: 12 }
const SCALARS = Object.keys(SCALAR_SLOT) as Scalar[]
const DROP_SLOT: Readonly<Record<DropReason, number>> = { UnknownSender: 13, FromSelf: 14, Replay: 15, StaleEpoch: 16, TooOld: 17, Misdirected: 18, Left: 19, Unproven: 20 }
const DROPS = Object.keys(DROP_SLOT) as DropReason[]
const SLOTS = SCALARS.length + DROPS.length

export const newStatsBoard = (): SharedArrayBuffer => new SharedArrayBuffer(SLOTS * Float64Array.BYTES_PER_ELEMENT)

export const writeStats = (board: SharedArrayBuffer, s: MembershipStats): void => {
  const v = new Float64Array(board)
  for (const k of SCALARS) v[SCALAR_SLOT[k]] = s[k]
  for (const r of DROPS) v[DROP_SLOT[r]] = s.dropped[r] ?? 0
}

export const readStats = (board: SharedArrayBuffer): MembershipStats => {
  const v = new Float64Array(board)
  const dropped: Partial<Record<DropReason, number>> = {}
  for (const r of DROPS) {
    const n = v[DROP_SLOT[r]] ?? 0
    if (n > 0) dropped[r] = n
  }
  const scalars = Object.fromEntries(SCALARS.map((k) => [k, v[SCALAR_SLOT[k]] ?? 0])) as Record<Scalar, number>
  return { ...scalars, dropped }
}
