// `ironlb simulate [--output json|table] [--namespace NS] [--lb-class CLASS] [--down NODE[,NODE]] PATH...`
// Exit status: 0 the config works (some Services may stay pending), or --help; 1 the config is
// invalid; 2 the input could not be read (bad YAML, a document that is no Kubernetes object, a
// missing file, bad flags, a --down node that is no Node of the input). Whatever is printed to
// stderr passes through printable(): it quotes the input.
import { printable } from '../../core/simulate/printable.js'
import { simulate } from '../../core/simulate/simulate.js'
import { renderJson } from '../../core/simulate/report.js'
import { renderTable } from '../../core/simulate/table.js'
import { formatProblem, loadObjects } from '../yaml/loadObjects.js'
import { parseArgs } from './args.js'

interface Streams {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

const USAGE = `usage: ironlb simulate [--output json|table] [--namespace NS] [--lb-class CLASS] [--down NODE[,NODE]] PATH...

Runs the controller's decision offline on YAML files or folders: which Service gets which IP and
why, and which node announces it.

  --output json|table  the report's form (default table; json is a stable contract)
  --namespace NS       where the MetalLB configuration lives (default metallb-system)
  --lb-class CLASS     act as the controller for this loadBalancerClass
  --down NODE[,NODE]   take these nodes' speakers down: who announces instead?
  -h, --help           print this and exit

exit status: 0 the configuration works, 1 it is invalid, 2 the input cannot be read
`

export const runSimulate = async (argv: readonly string[], io: Streams): Promise<number> => {
  const parsed = parseArgs(argv, ['output', 'namespace', 'lb-class', 'down'], ['help'])
  if (!parsed.ok) {
    io.err(`ironlb simulate: ${printable(parsed.error)}\n${USAGE}`)
    return 2
  }
  if (parsed.args.switches.has('help')) {
    io.out(USAGE)
    return 0
  }
  const output = parsed.args.flags.get('output') ?? 'table'
  if (output !== 'json' && output !== 'table') {
    io.err(`ironlb simulate: --output must be json or table, not ${printable(JSON.stringify(output))}\n`)
    return 2
  }
  if (parsed.args.positional.length === 0) {
    io.err(`ironlb simulate: give at least one YAML file or folder\n${USAGE}`)
    return 2
  }
  const loaded = await loadObjects(parsed.args.positional)
  for (const note of loaded.notes) io.err(`note: ${printable(note)}\n`)
  if (loaded.problems.length > 0) {
    for (const p of loaded.problems) io.err(`ironlb simulate: ${printable(formatProblem(p))}\n`)
    return 2
  }
  const lbClass = parsed.args.flags.get('lb-class')
  // "Who announces if these nodes die?": their speakers count as dead, every other Node's as alive.
  const down = (parsed.args.flags.get('down') ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '')
  const namespace = parsed.args.flags.get('namespace')
  const result = simulate(
    loaded.objects.map((l) => l.object),
    {
      namespace: namespace ?? 'metallb-system',
      namespaceGiven: namespace !== undefined,
      loadBalancerClass: lbClass === '' ? undefined : lbClass,
      down,
    },
  )
  if (result.layer2.unknownDown.length > 0) {
    io.err(`ironlb simulate: --down: no Node named ${printable(result.layer2.unknownDown.map((n) => JSON.stringify(n)).join(', '))} in the input\n`)
    return 2
  }
  for (const note of result.notes) io.err(`note: ${printable(note)}\n`)
  io.out(output === 'json' ? renderJson(result.report) : renderTable(result.report, result.layer2))
  return result.exitCode
}
