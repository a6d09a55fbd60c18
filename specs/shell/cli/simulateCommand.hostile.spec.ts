// `ironlb simulate` on hostile or odd input (issue 8, section 2): every case ends in a clear
// message and a documented exit status, never a hang, a crash or a silent pass.
import t from 'tap'
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runSimulate } from '../../../shell/cli/simulateCommand.js'

interface Run {
  code: number
  out: string
  err: string
}

const run = async (argv: string[]): Promise<Run> => {
  let out = ''
  let err = ''
  const code = await runSimulate(argv, { out: (s) => (out += s), err: (s) => (err += s) })
  return { code, out, err }
}

/** The run, or a failure after `ms`: a loader that loops must fail the spec, not hang it. */
const runWithin = async (ms: number, argv: string[]): Promise<Run | 'timeout'> => {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms)
  })
  try {
    return await Promise.race([run(argv), late])
  } finally {
    clearTimeout(timer)
  }
}

const scratch = (t: { teardown: (fn: () => void) => void }, files: Record<string, string | Buffer>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-hostile-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

const POOL = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: first-pool, namespace: metallb-system}
spec: {addresses: [192.0.2.0/28]}
`
const service = (name: string): string => `---
apiVersion: v1
kind: Service
metadata: {name: ${JSON.stringify(name)}, namespace: default, creationTimestamp: "2026-01-01T00:00:00Z"}
spec: {type: LoadBalancer, ports: [{port: 80, protocol: TCP}]}
`

t.test('--help and -h print the usage on stdout and exit 0', async (t) => {
  for (const flag of ['--help', '-h']) {
    const { code, out, err } = await run([flag])
    t.equal(code, 0, flag)
    t.match(out, /^usage: ironlb simulate /, `${flag}: usage on stdout`)
    t.equal(err, '', `${flag}: nothing on stderr`)
  }
  t.equal((await run(['--output', 'json', '-h'])).code, 0, 'after other flags too')
  const other = await run(['-x'])
  t.equal(other.code, 2, 'another single-dash flag is an unknown flag, not a path')
  t.match(other.err, /unknown flag -x/)
})

t.test('a folder holding two symlinks to itself is read once, with a note', async (t) => {
  const dir = scratch(t, { 'pool.yaml': POOL + service('web') })
  symlinkSync('.', join(dir, 'loop-a'))
  symlinkSync('.', join(dir, 'loop-b'))
  mkdirSync(join(dir, 'sub'))
  symlinkSync('..', join(dir, 'sub', 'up'))
  const got = await runWithin(20_000, ['--output', 'json', dir])
  if (got === 'timeout') return t.fail('the walk did not end within 20 s')
  t.equal(got.code, 0, got.err)
  const report = JSON.parse(got.out) as { services: unknown[]; errors: unknown[] }
  t.equal(report.services.length, 1, 'the Service is read once')
  t.same(report.errors, [], 'no "already defined" errors from reading the pool twice')
  t.match(got.err, /note: .*loop-a: .*already read/, 'the loop is a note')
  t.match(got.err, /note: .*up: .*already read/, 'so is a link to a parent')
})

t.test('the same file named twice is read once', async (t) => {
  const dir = scratch(t, { 'pool.yaml': POOL })
  const got = await run(['--output', 'json', join(dir, 'pool.yaml'), dir])
  t.equal(got.code, 0, got.err)
  t.match(got.err, /note: .*pool\.yaml: .*already read/)
})

t.test('a special file is refused, not read forever', async (t) => {
  const got = await runWithin(20_000, ['/dev/zero'])
  if (got === 'timeout') return t.fail('reading /dev/zero did not end within 20 s')
  t.equal(got.code, 2)
  t.match(got.err, /\/dev\/zero: not a regular file or folder/)
})

t.test('aliases: 101 uses of one scalar are fine; expansion is bounded by size', async (t) => {
  const many = Array.from({ length: 101 }, (_, i) => `    k${i}: *v`).join('\n')
  const legit = `${POOL}---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  labels: {team: &v payments}
  annotations:
${many}
spec: {type: LoadBalancer, ports: [{port: 80, protocol: TCP}]}
`
  const ok = await run(['--output', 'json', scratch(t, { 'ok.yaml': legit })])
  t.equal(ok.code, 0, ok.err)
  t.equal((JSON.parse(ok.out) as { services: unknown[] }).services.length, 1)

  // Ten levels of ten aliases each: 10^10 values from a few hundred bytes.
  const levels = ['a0: &a0 ["lol"]']
  for (let i = 1; i <= 10; i++) levels.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`)
  const bomb = `${POOL}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n${levels.map((l) => `  ${l}`).join('\n')}\n`
  const got = await runWithin(20_000, [scratch(t, { 'bomb.yaml': bomb })])
  if (got === 'timeout') return t.fail('the expansion did not end within 20 s')
  t.equal(got.code, 2)
  t.match(got.err, /bomb\.yaml:\d+: .*expand/, 'names file and line, and says why')
})

t.test('every YAML error names file and line', async (t) => {
  const rows = [
    { desc: 'an alias with no anchor', in: 'apiVersion: v1\nkind: Service\nmetadata: {name: *nope}\n', want: /x\.yaml:3: / },
    { desc: 'an alias inside its own anchor', in: 'apiVersion: v1\nkind: ConfigMap\ndata: &a\n  self: *a\n', want: /x\.yaml:4: / },
    { desc: 'a broken flow sequence', in: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n', want: /x\.yaml:4: invalid YAML/ },
    { desc: 'a duplicate key', in: 'apiVersion: v1\nkind: Service\nkind: Node\n', want: /x\.yaml:3: invalid YAML/ },
    { desc: 'nesting deeper than any object', in: `apiVersion: v1\nkind: ConfigMap\ndata: ${'['.repeat(2000)}${']'.repeat(2000)}\n`, want: /x\.yaml:3: / },
  ]
  for (const row of rows) {
    const got = await run([join(scratch(t, { 'x.yaml': row.in }), 'x.yaml')])
    t.equal(got.code, 2, row.desc)
    t.match(got.err, row.want, row.desc)
  }
})

t.test('input that is not Kubernetes objects exits 2 naming file and document', async (t) => {
  const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256))
  const rows = [
    { desc: 'binary garbage', in: garbage, want: /g\.yaml:1: document 1: / },
    { desc: 'a plain scalar', in: 'hello\n', want: /g\.yaml:1: document 1: .*not a Kubernetes object/ },
    { desc: 'a sequence in the second document', in: `${POOL}---\n- a\n- b\n`, want: /g\.yaml:6: document 2: a list, not a Kubernetes object/ },
    { desc: 'no apiVersion', in: 'kind: Service\nmetadata: {name: web}\n', want: /g\.yaml:1: document 1: Service web has no apiVersion/ },
    { desc: 'no kind', in: 'apiVersion: v1\nmetadata: {name: web}\n', want: /g\.yaml:1: document 1: .*web has no kind/ },
    { desc: 'a List item that is not a mapping', in: 'apiVersion: v1\nkind: List\nitems: [3]\n', want: /g\.yaml:1: document 1: items\[0\]: a number, not a Kubernetes object/ },
  ]
  for (const row of rows) {
    const got = await run([join(scratch(t, { 'g.yaml': row.in }), 'g.yaml')])
    t.equal(got.code, 2, row.desc)
    t.match(got.err, row.want, row.desc)
    t.notMatch(got.err, /ignored \(no kind\)|not a kind the simulation reads/, `${row.desc}: not waved through as an ignored kind`)
  }
})

t.test('configuration outside the namespace is not dropped silently', async (t) => {
  const elsewhere = POOL.replace('namespace: metallb-system', 'namespace: other') + service('web')
  const dir = scratch(t, { 'x.yaml': elsewhere })
  const byDefault = await run(['--output', 'json', dir])
  t.equal(byDefault.code, 0, 'the default namespace is a guess: a note')
  t.match(byDefault.err, /note: .*IPAddressPool other\/first-pool.*not in metallb-system/)
  t.same((JSON.parse(byDefault.out) as { errors: unknown[] }).errors, [])
  const asked = await run(['--output', 'json', '--namespace', 'metallb-system', dir])
  t.equal(asked.code, 1, 'a namespace the user asked for: an error')
  const errors = (JSON.parse(asked.out) as { errors: { kind: string; namespace: string; name: string; field: string }[] }).errors
  t.same(
    errors.map((e) => [e.kind, e.namespace, e.name, e.field]),
    [['IPAddressPool', 'other', 'first-pool', 'metadata.namespace']],
  )
})

t.test('names with control characters are escaped in the table and the notes', async (t) => {
  const evil = 'web\n\u001b[31mFAKE   assigned\u001b[0m'
  const dir = scratch(t, {
    'x.yaml': `${POOL}${service(evil)}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${JSON.stringify(evil)}, namespace: default}\n`,
  })
  const got = await run([dir])
  t.equal(got.code, 0, got.err)
  t.notMatch(got.out, /\u001b/, 'no escape character reaches the terminal')
  t.match(got.out, /web\\n\\x1b\[31mFAKE {3}assigned\\x1b\[0m/, 'the name is shown escaped')
  t.notMatch(got.out, /^\u001b?\[?31?m?FAKE/m, 'no line of the table starts with the forged text')
  t.notMatch(got.err, /\u001b/, 'nor on stderr')
  t.match(got.err, /Deployment default\/web\\n\\x1b/, 'the note is escaped too')
})
