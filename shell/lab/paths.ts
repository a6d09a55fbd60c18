// Where the lab finds the checkout and keeps its state: the repository root (found from this module,
// whether it runs from source or from dist), the default state folder, and the built entry points.
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const findRepoRoot = (from: string): string => {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d
    if (dirname(d) === d) throw new Error(`no package.json above ${from}`)
  }
}
export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)))

export const defaultStateDir = (): string => {
  const env = process.env['IRONLB_LAB_DIR']
  return env !== undefined && env !== '' ? resolve(env) : join(repoRoot, '.lab', 'default')
}

export const agentEntry = (): string => join(repoRoot, 'dist', 'shell', 'lab', 'agent.js')


export const defaultIronlbEntry = (): string => join(repoRoot, 'dist', 'shell', 'cli', 'ironlb.js')
