// One list of system tools (specs/support/system-tools.txt): the Makefile installs from it, the
// specs' missing-tool check reads it, and every command the specs and the lab run is on it. A fresh
// machine once failed every end-to-end spec because `nft` was added for one make target only.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { repoRoot } from './repoRoot.js'
import { missingTools, parseSystemTools, systemTools } from './systemTools.js'

// Node runs the specs themselves: it is the one prerequisite the list does not install.
const NOT_SYSTEM_TOOLS = new Set(['node', 'npx', 'npm'])

const sourcesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourcesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))

/** The commands a source file runs, as written in its argv literals, and the tools it checks for. */
export const commandsIn = (text: string): string[] => {
  const found: string[] = []
  const word = `'([a-z0-9][a-z0-9+_.-]*)'`
  const arg = `(?:[A-Za-z_$][\\w.$()]*|'[^']*'|\`[^\`]*\`)`
  const patterns = [
    // lab.exec(host, ['cmd', ...]), lab.spawn(host, ['cmd']), inNs(ns, ['cmd'])
    new RegExp(`(?:\\.exec|\\.spawn|\\binNs)\\(\\s*${arg}\\s*,\\s*\\[\\s*${word}`, 'g'),
    // run(['cmd', ...]), mustRun(['cmd'])
    new RegExp(`(?<![.\\w])(?:run|mustRun)\\(\\s*\\[\\s*${word}`, 'g'),
    // execFile('cmd', [...]) and friends
    new RegExp(`(?<![.\\w])(?:execFile|execFileSync|spawn|spawnSync)\\(\\s*${word}`, 'g'),
    // ['ip', 'netns', 'exec', ns, 'cmd', ...]
    new RegExp(`'netns',\\s*'exec',\\s*${arg},\\s*${word}`, 'g'),
  ]
  for (const re of patterns) for (const m of text.matchAll(re)) if (m[1] !== undefined) found.push(m[1])
  for (const m of text.matchAll(/missingTools\(\s*\[([^\]]*)\]/g)) for (const w of (m[1] ?? '').matchAll(/'([^']+)'/g)) if (w[1] !== undefined) found.push(w[1])
  return found
}

t.test('the install step reads the same list', async (t) => {
  const fromMake = execFileSync('make', ['-s', '--no-print-directory', '-C', repoRoot, 'system-tools-list'], { encoding: 'utf8' }).trim().split('\n')
  t.same(fromMake, [...systemTools()].map(([command, pkg]) => `${command}:${pkg}`))
})

t.test('every command the specs and the lab run is on the list', async (t) => {
  const listed = systemTools()
  // This spec's own example rows are not commands it runs.
  const self = join(repoRoot, 'specs', 'support', 'systemTools.spec.ts')
  const sources = [...sourcesUnder(join(repoRoot, 'specs')), ...sourcesUnder(join(repoRoot, 'shell', 'lab'))].filter((f) => f !== self)
  const unlisted = sources.flatMap((file) =>
    commandsIn(readFileSync(file, 'utf8'))
      .filter((c) => !listed.has(c) && !NOT_SYSTEM_TOOLS.has(c))
      .map((c) => `${relative(repoRoot, file)}: ${c}`),
  )
  t.same([...new Set(unlisted)], [], 'commands not on specs/support/system-tools.txt')
  t.ok(sources.length > 20, `scanned ${sources.length} files`)
})

t.test('the scan finds commands in the shapes the specs use', async (t) => {
  const rows = [
    { desc: 'lab exec', in: "await lab.exec('client', ['arping', '-c', '1'])", want: ['arping'] },
    { desc: 'spawn in a namespace', in: "lab.spawn(rtr, ['gobgpd', '-f', x])", want: ['gobgpd'] },
    { desc: 'ip netns exec', in: "mustRun(['ip', 'netns', 'exec', name, 'sysctl', '-qw'])", want: ['ip', 'sysctl'] },
    { desc: 'execFileSync', in: "execFileSync('tcpdump', ['-n'])", want: ['tcpdump'] },
    { desc: 'a tool check', in: "missingTools(['curl', 'nft'])", want: ['curl', 'nft'] },
    { desc: 'flags are not commands', in: "parseArgs(['--output'], KNOWN)", want: [] },
    { desc: 'a method named spawn takes a host first', in: "lab.spawn('init', ['true'])", want: ['true'] },
    { desc: 'arguments of a named command are not commands', in: "execFileSync('ip', ['netns', 'list'])", want: ['ip'] },
  ]
  for (const r of rows) t.same(commandsIn(r.in).sort(), r.want.sort(), r.desc)
})

t.test('a missing tool names every package to install', async (t) => {
  const listed = parseSystemTools('ip iproute2\nnft nftables\narping arping\ncurl curl\n')
  const absent = new Set(['nft', 'arping'])
  const message = missingTools(['nft', 'arping', 'curl'], listed, (c) => !absent.has(c))
  t.equal(message, 'missing nft, arping (Debian: apt-get install -y nftables arping; or run `make system-tools` as root)')
  t.equal(missingTools(['curl'], listed, () => true), undefined, 'nothing missing: no message')
})

t.test('a spec that checks for a tool not on the list fails at once', async (t) => {
  t.throws(() => missingTools(['frobnicate'], parseSystemTools('ip iproute2\n'), () => true), /frobnicate not on .*system-tools\.txt/)
})

t.test('a malformed list is an error naming the line', async (t) => {
  t.throws(() => parseSystemTools('ip iproute2\nnft\n'), /system-tools\.txt:2: expected "command package"/)
  t.throws(() => parseSystemTools('ip iproute2\nip iproute2\n'), /system-tools\.txt:2: ip is listed twice/)
})
