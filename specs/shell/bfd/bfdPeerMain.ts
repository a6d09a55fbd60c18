// One BFD session of shell/bfd run inside a lab namespace for bfd.netns.spec.ts: it reports every
// Up and Down as a JSON line with the wall clock (the spec compares it with its own), and on command
// stops the session (AdminDown) or reports the packets it dropped.
//
//   --local IP --remote IP --tx MS --rx MS --mult N [--passive] [--multihop] [--min-ttl N (254)] [--device IF] [--echo MS] --max-seconds S
//   stdin: {"cmd":"stop"} | {"cmd":"die"} (SIGKILL, so the peer hears nothing) | {"cmd":"discards"} | {"cmd":"metrics"} | {"cmd":"state"}
//          | {"cmd":"block","ms":N} (a busy loop on the main thread for N ms, as a long reconcile pass or GC pause would)
import { createInterface } from 'node:readline'
import { Registry } from 'prom-client'
import { type Bfd, type BfdPeer, startBfd } from '../../../shell/bfd/bfd.js'
import { bfdMetrics } from '../../../shell/bfd/metrics.js'
import { jsonLogger } from '../../../shell/obs/log.js'
import { arg, emit } from '../../support/agentMain.js'


setTimeout(() => {
  emit({ event: 'timeout' })
  process.exit(3)
}, Number(arg('--max-seconds')) * 1000).unref()

const registry = new Registry()
const bfd: Bfd = startBfd(jsonLogger('info'), bfdMetrics(registry))
const peer: BfdPeer = { address: arg('--remote'), localAddress: arg('--local'), multiHop: process.argv.includes('--multihop'), ...(process.argv.includes('--device') ? { device: arg('--device') } : {}) }
const profile = {
  name: 'spec',
  receiveInterval: Number(arg('--rx')),
  transmitInterval: Number(arg('--tx')),
  detectMultiplier: Number(arg('--mult')),
  echoInterval: process.argv.includes('--echo') ? Number(arg('--echo')) : 50,
  echoMode: process.argv.includes('--echo'),
  passiveMode: process.argv.includes('--passive'),
  minimumTtl: process.argv.includes('--min-ttl') ? Number(arg('--min-ttl')) : 254,
}
bfd.on('up', (_p, diag) => emit({ event: 'up', at: Date.now(), diag }))
bfd.on('down', (_p, diag) => emit({ event: 'down', at: Date.now(), diag }))
await bfd.start(peer, profile)
emit({ event: 'started' })

/** Holds the main thread for `ms` without yielding; reports how long it really held it. */
const block = (ms: number): void => {
  const from = Date.now()
  let spins = 0
  while (Date.now() - from < ms) spins++
  emit({ event: 'unblocked', at: Date.now(), blockedMs: Date.now() - from, spins })
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const { cmd, ms } = JSON.parse(line) as { cmd: string; ms?: number }
  if (cmd === 'stop') {
    void bfd.stop(peer)
    emit({ event: 'stopped', at: Date.now() })
  } else if (cmd === 'die') process.kill(process.pid, 'SIGKILL')
  else if (cmd === 'discards') emit({ event: 'discards', counts: Object.fromEntries(bfd.discards()) })
  else if (cmd === 'metrics') void registry.metrics().then((text) => emit({ event: 'metrics', text }))
  else if (cmd === 'state') emit({ event: 'state', state: bfd.state(peer) ?? 'none' })
  else if (cmd === 'block') block(ms ?? 0)
})
