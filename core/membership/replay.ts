// Replay protection per sender, as in IPsec's anti-replay window (RFC 4303 section 3.4.3): a message
// is fresh when its (epoch, seq) is newer than anything seen, or within the last WINDOW sequence
// numbers and not seen yet. The epoch is the sender's boot time, so a restarted speaker starts a new
// window; an older epoch is refused outright. The tag check (shell) proves who sent a message; this
// proves it was not sent before.

export const WINDOW = 64
const MASK = (1n << BigInt(WINDOW)) - 1n

export interface ReplayWindow {
  readonly epoch: number
  readonly highest: number
  /** Bit i set: sequence number highest - i was seen. */
  readonly seen: bigint
}

type ReplayVerdict =
  | { readonly _tag: 'Fresh'; readonly window: ReplayWindow }
  | { readonly _tag: 'Reject'; readonly reason: 'Replay' | 'StaleEpoch' | 'TooOld' }

export const admit = (w: ReplayWindow | undefined, epoch: number, seq: number): ReplayVerdict => {
  if (w === undefined || epoch > w.epoch) return { _tag: 'Fresh', window: { epoch, highest: seq, seen: 1n } }
  if (epoch < w.epoch) return { _tag: 'Reject', reason: 'StaleEpoch' }
  if (seq > w.highest) {
    const shift = seq - w.highest
    const seen = shift >= WINDOW ? 1n : ((w.seen << BigInt(shift)) | 1n) & MASK
    return { _tag: 'Fresh', window: { epoch, highest: seq, seen } }
  }
  const back = w.highest - seq
  if (back >= WINDOW) return { _tag: 'Reject', reason: 'TooOld' }
  const bit = 1n << BigInt(back)
  if ((w.seen & bit) !== 0n) return { _tag: 'Reject', reason: 'Replay' }
  return { _tag: 'Fresh', window: { ...w, seen: w.seen | bit } }
}
