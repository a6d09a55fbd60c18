// The design card's rule: core/ is pure. This scans every core module's source for anything that
// reaches the outside world (I/O modules, the Kubernetes client, timers, clock, randomness, env,
// console) or imports from shell/. A match fails with the file and line.
import t from 'tap'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? sourcesUnder(path) : /\.(ts|js|mts|cts)$/.test(entry) ? [path] : []
  })

const IO_MODULES = [
  'fs', 'fs/promises', 'net', 'dgram', 'dns', 'http', 'https', 'http2', 'tls', 'child_process', 'os',
  'worker_threads', 'cluster', 'process', 'timers', 'timers/promises', 'perf_hooks', 'readline', 'crypto',
  'v8', 'vm', 'inspector', 'async_hooks',
]
const IO_PACKAGES = ['@kubernetes/client-node', 'raw-socket', 'prom-client', 'yaml']

const importedModule = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"]+)['"]/g

const forbiddenCalls: ReadonlyArray<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'the clock (Date.now)'],
  [/\bnew Date\s*\(\s*\)/, 'the clock (new Date())'],
  [/\bperformance\.now\s*\(/, 'the clock (performance.now)'],
  [/\bMath\.random\s*\(/, 'randomness (Math.random)'],
  [/\bcrypto\.(getRandomValues|randomUUID)\b/, 'randomness (crypto)'],
  [/\bprocess\./, 'the process (env, argv, exit, hrtime)'],
  [/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(/, 'timers'],
  [/\bconsole\./, 'logging (console)'],
  [/\bfetch\s*\(/, 'network I/O (fetch)'],
]

const violationsIn = (file: string): string[] => {
  const text = readFileSync(file, 'utf8')
  const found: string[] = []
  text.split('\n').forEach((line, i) => {
    const where = `${relative(root, file)}:${i + 1}`
    if (/^\s*(\/\/|\*)/.test(line)) return // comments may name what they avoid
    for (const m of line.matchAll(importedModule)) {
      const spec = m[1] ?? ''
      const bare = spec.replace(/^node:/, '')
      if (IO_MODULES.includes(bare) || IO_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`)))
        found.push(`${where} imports ${spec}`)
      if (/(^|\/)shell\//.test(spec)) found.push(`${where} imports from shell/ (${spec})`)
    }
    for (const [pattern, what] of forbiddenCalls) if (pattern.test(line)) found.push(`${where} uses ${what}`)
  })
  return found
}

t.test('core/ is pure', async (t) => {
  const files = sourcesUnder(join(root, 'core'))
  t.ok(files.length > 0, 'core/ has sources to check')
  const violations = files.flatMap(violationsIn)
  t.same(violations, [], 'no I/O, clock, randomness, env, timers or console under core/')
})

t.test('the scanner catches what it must', async (t) => {
  // Guard against a scanner that silently matches nothing.
  const probe = [
    "import { readFileSync } from 'node:fs'",
    "import * as k8s from '@kubernetes/client-node'",
    'const now = Date.now()',
    'setTimeout(() => 1, 5)',
    'console.log(1)',
    'const r = Math.random()',
    'const e = process.env.X',
    "import { x } from '../../shell/thing.js'",
  ]
  for (const line of probe) {
    const hits = [...line.matchAll(importedModule)].length > 0 || forbiddenCalls.some(([p]) => p.test(line))
    t.ok(hits, `flags: ${line}`)
  }
})
