// The repository root, found from this file whether it runs from source (tap) or from dist/ (bench).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const findRoot = (from: string): string => (existsSync(join(from, 'package.json')) || from === dirname(from) ? from : findRoot(dirname(from)))

export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)))
