import t from 'tap'
import { parseArgs } from '../../../shell/cli/args.js'

const KNOWN = ['output', 'namespace']

t.test('flags and positionals', async (t) => {
  const rows = [
    { desc: 'space-separated value', in: ['--output', 'json', 'a.yaml'], want: { flags: [['output', 'json']], positional: ['a.yaml'] } },
    { desc: 'equals form', in: ['--namespace=lb', 'dir'], want: { flags: [['namespace', 'lb']], positional: ['dir'] } },
    { desc: 'double dash ends flags', in: ['--', '--output'], want: { flags: [], positional: ['--output'] } },
    { desc: 'last wins', in: ['--output', 'table', '--output=json'], want: { flags: [['output', 'json']], positional: [] } },
  ]
  for (const row of rows) {
    const got = parseArgs(row.in, KNOWN)
    t.ok(got.ok, row.desc)
    if (got.ok) t.same({ flags: [...got.args.flags], positional: got.args.positional }, row.want, row.desc)
  }
})

t.test('errors name the flag', async (t) => {
  const unknown = parseArgs(['--outptu', 'json'], KNOWN)
  t.same(unknown, { ok: false, error: 'unknown flag --outptu' })
  const missing = parseArgs(['--output'], KNOWN)
  t.same(missing, { ok: false, error: 'flag --output needs a value' })
})
