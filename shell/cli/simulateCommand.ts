// `ironlb simulate [--output json|table] [--namespace NS] [--lb-class CLASS] [--down NODE[,NODE]] PATH...`
// Exit status: 0 the config works (some Services may stay pending), 1 the config is invalid,
// 2 the input could not be read (bad YAML, missing file, bad flags, a --down node that is no Node
// of the input).
import { simulate } from '../../core/simulate/simulate.js'
import { renderJson } from '../../core/simulate/report.js'
import { renderTable } from '../../core/simulate/table.js'
import { YamlError, loadObjects } from '../yaml/loadObjects.js'
import { parseArgs } from './args.js'

export interface Streams {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

const USAGE = 'usage: ironlb simulate [--output json|table] [--namespace NS] [--lb-class CLASS] [--down NODE[,NODE]] PATH...\n'

export const runSimulate = async (argv: readonly string[], io: Streams): Promise<number> => {
  const parsed = parseArgs(argv, ['output', 'namespace', 'lb-class', 'down'])
  if (!parsed.ok) {
    io.err(`ironlb simulate: ${parsed.error}\n${USAGE}`)
    return 2
  }
  const output = parsed.args.flags.get('output') ?? 'table'
  if (output !== 'json' && output !== 'table') {
    io.err(`ironlb simulate: --output must be json or table, not "${output}"\n`)
    return 2
  }
  if (parsed.args.positional.length === 0) {
    io.err(`ironlb simulate: give at least one YAML file or folder\n${USAGE}`)
    return 2
  }
  let loaded
  try {
    loaded = await loadObjects(parsed.args.positional)
  } catch (err) {
    if (err instanceof YamlError) io.err(`ironlb simulate: ${err.file}:${err.line}: invalid YAML: ${err.detail}\n`)
    else io.err(`ironlb simulate: ${err instanceof Error ? err.message : String(err)}\n`)
    return 2
  }
  const lbClass = parsed.args.flags.get('lb-class')
  // "Who announces if these nodes die?": their speakers count as dead, every other Node's as alive.
  const down = (parsed.args.flags.get('down') ?? '').split(',').map((n) => n.trim()).filter((n) => n !== '')
  const result = simulate(
    loaded.map((l) => l.object),
    { namespace: parsed.args.flags.get('namespace') ?? 'metallb-system', loadBalancerClass: lbClass === '' ? undefined : lbClass, down },
  )
  if (result.layer2.unknownDown.length > 0) {
    io.err(`ironlb simulate: --down: no Node named ${result.layer2.unknownDown.map((n) => JSON.stringify(n)).join(', ')} in the input\n`)
    return 2
  }
  for (const note of result.notes) io.err(`note: ${note}\n`)
  io.out(output === 'json' ? renderJson(result.report) : renderTable(result.report, result.layer2))
  return result.exitCode
}
