// The system tools the specs, benches and the lab run, read from the one list the Makefile installs
// from (system-tools.txt beside this file). A spec asks `missingTools` before it runs anything, and
// a tool that is not on the list is a defect of the spec, not of the machine: it throws.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from './repoRoot.js'

export const SYSTEM_TOOLS_FILE = join(repoRoot, 'specs', 'support', 'system-tools.txt')

/** Command -> Debian package, in the file's order. Throws on a line that is not "command package". */
export const parseSystemTools = (text: string): ReadonlyMap<string, string> => {
  const tools = new Map<string, string>()
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const fields = line.split(/\s+/)
    const [command, pkg] = fields
    if (fields.length !== 2 || command === undefined || pkg === undefined) throw new Error(`${SYSTEM_TOOLS_FILE}:${i + 1}: expected "command package", got ${JSON.stringify(raw)}`)
    if (tools.has(command)) throw new Error(`${SYSTEM_TOOLS_FILE}:${i + 1}: ${command} is listed twice`)
    tools.set(command, pkg)
  })
  return tools
}

export const systemTools = (): ReadonlyMap<string, string> => parseSystemTools(readFileSync(SYSTEM_TOOLS_FILE, 'utf8'))

const onPath = (command: string): boolean => {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/**
 * A message naming every missing command and every package to install (a failure, not a skip), or
 * undefined when all are there. `ip` is always checked: every netns spec runs it.
 */
export const missingTools = (tools: readonly string[], listed: ReadonlyMap<string, string> = systemTools(), present: (command: string) => boolean = onPath): string | undefined => {
  const wanted = [...new Set(['ip', ...tools])]
  const unlisted = wanted.filter((tool) => !listed.has(tool))
  if (unlisted.length > 0) throw new Error(`${unlisted.join(', ')} not on ${SYSTEM_TOOLS_FILE}: add each with its Debian package, so that \`make system-tools\` installs it`)
  const missing = wanted.filter((tool) => !present(tool))
  if (missing.length === 0) return undefined
  const packages = [...new Set(missing.map((tool) => listed.get(tool)))].join(' ')
  return `missing ${missing.join(', ')} (Debian: apt-get install -y ${packages}; or run \`make system-tools\` as root)`
}
