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

t.test('switches: --help and -h, and no other single-dash flag', async (t) => {
  const rows = [
    { desc: 'long switch', in: ['--help'], want: { ok: true, switches: ['help'], positional: [] } },
    { desc: 'short switch', in: ['a.yaml', '-h'], want: { ok: true, switches: ['help'], positional: ['a.yaml'] } },
    { desc: 'a lone dash is a path', in: ['-'], want: { ok: true, switches: [], positional: ['-'] } },
    { desc: 'after -- it is a path', in: ['--', '-h'], want: { ok: true, switches: [], positional: ['-h'] } },
  ]
  for (const row of rows) {
    const got = parseArgs(row.in, KNOWN, ['help'])
    t.same(got.ok ? { ok: true, switches: [...got.args.switches], positional: got.args.positional } : got, row.want, row.desc)
  }
  t.same(parseArgs(['-x'], KNOWN, ['help']), { ok: false, error: 'unknown flag -x' })
  t.same(parseArgs(['-h'], KNOWN), { ok: false, error: 'unknown flag -h' }, 'no switches known: -h is unknown, not a path')
  t.same(parseArgs(['--help=yes'], KNOWN, ['help']), { ok: false, error: 'flag --help takes no value' })
})
