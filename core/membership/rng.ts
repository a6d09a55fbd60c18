// A small deterministic generator for the probe order and random peer picks. The core never draws
// entropy itself: the shell seeds it and may stir in fresh entropy with each Tick, and simulations
// replay a run exactly from its seed. Not for keys or anything secret.

declare const rngBrand: unique symbol
export type Rng = number & { readonly [rngBrand]: true }

export const seedRng = (seed: number): Rng => (seed >>> 0) as Rng

/** Mixes fresh entropy into the state (a multiply-xorshift finaliser over the sum). */
export const stir = (rng: Rng, entropy: number): Rng => mix((rng + (entropy >>> 0) + 0x9e3779b9) >>> 0) as Rng

const mix = (x0: number): number => {
  let x = x0 >>> 0
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad) >>> 0
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97) >>> 0
  return (x ^ (x >>> 15)) >>> 0
}

/** The next state and a 32-bit output (a Weyl sequence through the finaliser). */
export const next = (rng: Rng): readonly [Rng, number] => {
  const s = (rng + 0x9e3779b9) >>> 0
  return [s as Rng, mix(s)]
}

/** A uniform integer in [0, n) for n >= 1 (the bias for n far below 2^32 is negligible here). */
export const below = (rng: Rng, n: number): readonly [Rng, number] => {
  const [r, x] = next(rng)
  return [r, n <= 1 ? 0 : Math.floor((x / 2 ** 32) * n)]
}

/** Fisher-Yates over a copy. */
export const shuffle = <A>(rng: Rng, items: readonly A[]): readonly [Rng, readonly A[]] => {
  const out = items.slice()
  let r = rng
  for (let i = out.length - 1; i > 0; i--) {
    const [r2, j] = below(r, i + 1)
    r = r2
    const tmp = out[i] as A
    out[i] = out[j] as A
    out[j] = tmp
  }
  return [r, out]
}
