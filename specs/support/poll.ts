// Waiting for the world outside the process (a router's RIB, a kernel table, a peer's state), always
// bounded: the caller judges the last value seen, so a timeout reads as a failed check with evidence.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Probes every `everyMs` until `done` holds or `ms` have passed; the last value either way. */
export const poll = async <A>(ms: number, probe: () => Promise<A>, done: (a: A) => boolean, everyMs = 100): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe()
    if (done(v) || Date.now() > deadline) return v
    await sleep(everyMs)
  }
}

/** A probe sampled every `everyMs` from now until `stop()` (at most `boundMs`); `stop()` returns the samples. */
export const sampling = <A>(probe: () => Promise<A>, everyMs: number, boundMs: number): { readonly count: () => number; readonly stop: () => Promise<A[]> } => {
  const samples: A[] = []
  let running = true
  const loop = (async () => {
    const until = Date.now() + boundMs
    while (running && Date.now() < until) {
      samples.push(await probe())
      await sleep(everyMs)
    }
  })()
  return {
    count: () => samples.length,
    stop: async () => {
      running = false
      await loop
      return samples
    },
  }
}
