// `make bench`: runs the benchmarks in one process, one after another, and prints their figures.
// `node dist/specs/bench/run.js [name...]` runs only the named ones.
const BENCHES: Record<string, () => Promise<void>> = {
  allocation: async () => (await import('./alloc.bench.js')).benchAllocation(),
  l2: async () => (await import('./l2.bench.js')).benchL2(),
  membership: async () => (await import('./membership.bench.js')).benchMembership(),
  controller: async () => (await import('./controller.bench.js')).benchController(),
  failover: async () => (await import('./failover.bench.js')).benchFailover(),
  bgp: async () => (await import('./bgp.bench.js')).benchBgp(),
  soak: async () => (await import('./soak.bench.js')).benchSoak(),
  controllerForeign: async () => {
    const m = await import('./controllerForeign.bench.js')
    await m.benchServiceCache()
    await m.benchControllerForeign()
  },
  speaker: async () => (await import('./speaker.bench.js')).benchSpeaker(),
  'speaker-pass': async () => (await import('./speaker.bench.js')).benchSpeakerPass(),
  simulate: async () => (await import('./simulate.bench.js')).benchSimulate(),
}

const main = async (): Promise<void> => {
  const wanted = process.argv.slice(2)
  const names = wanted.length === 0 ? Object.keys(BENCHES) : wanted
  for (const name of names) {
    const bench = BENCHES[name]
    if (bench === undefined) throw new Error(`unknown bench "${name}"; known: ${Object.keys(BENCHES).join(', ')}`)
    console.log(`\n== ${name}`)
    const started = Date.now()
    await bench()
    console.log(`(${name} took ${((Date.now() - started) / 1000).toFixed(0)} s)`)
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
