#!/usr/bin/env node
// The `ironlb` command: `simulate` (the core, offline), and the in-cluster binaries `controller`
// and `speaker` (the container image's entry point).
import { catchStopSignal } from './stopSignal.js'
import { jsonLogger } from '../obs/log.js'

const USAGE = `usage: ironlb <command> [flags]

commands:
  simulate    run the allocation core on YAML files: which Service gets which IP, and why
  controller  run the IP-assigning controller (in a cluster)
  speaker     run the announcing speaker on one node (in a cluster)
`

const main = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv
  switch (command) {
    case 'simulate': {
      // Loaded only here: the daemons never simulate. Imported after the speaker's modules, its own cost
      // 1.6 MiB of heap, 3 MiB of RSS and 0.5 s (node --expose-gc, after GC, at load 12-16; issue 12).
      const { runSimulate } = await import('./simulateCommand.js')
      return runSimulate(rest, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) })
    }
    case 'controller': {
      // Caught before the controller's modules load (seconds on a busy node): see stopSignal.ts.
      const stop = catchStopSignal()
      jsonLogger('info', undefined, { component: 'controller' }).info('controller-starting', { signals: 'caught' })
      const { runController } = await import('../controller/main.js')
      return runController(rest, stop)
    }
    case 'speaker': {
      const { runSpeaker } = await import('../speaker/main.js')
      return runSpeaker(rest)
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE)
      return command === undefined ? 2 : 0
    default:
      process.stderr.write(`ironlb: unknown command "${command}"\n${USAGE}`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    process.stderr.write(`ironlb: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exitCode = 2
  },
)
