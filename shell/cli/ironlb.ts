#!/usr/bin/env node
// The `ironlb` command: `simulate` (the core, offline), and the in-cluster binaries `controller`
// and `speaker` (the container image's entry point).
import { runSimulate } from './simulateCommand.js'

const USAGE = `usage: ironlb <command> [flags]

commands:
  simulate    run the allocation core on YAML files: which Service gets which IP, and why
  controller  run the IP-assigning controller (in a cluster)
  speaker     run the announcing speaker on one node (in a cluster)
`

const main = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv
  switch (command) {
    case 'simulate':
      return runSimulate(rest, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) })
    case 'controller': {
      const { runController } = await import('../controller/main.js')
      return runController(rest)
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
