// Writes deploy/manifests/10-crds.yaml from core/crd (`make crds`), or with --check only says whether
// the file is current (exit 1 when not). The YAML is never edited by hand.
//
// Usage: node dist/shell/tools/genCrds.js [--check] [path]   (path defaults to CRDS_PATH, from the
// repository root)
import { readFileSync, writeFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { CRDS_PATH, crdsYaml } from './crdsYaml.js'

const readOr = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

const main = (argv: readonly string[]): number => {
  const check = argv.includes('--check')
  const path = argv.find((a) => !a.startsWith('--')) ?? CRDS_PATH
  const text = crdsYaml()
  if (E.isLeft(text)) {
    process.stderr.write(`genCrds: the CRD definitions have problems:\n${text.left.map((p) => `  ${p}\n`).join('')}`)
    return 1
  }
  const current = readOr(path)
  if (check) {
    if (current === text.right) return 0
    process.stderr.write(`genCrds: ${path} is out of date; run \`make crds\`\n`)
    return 1
  }
  if (current !== text.right) writeFileSync(path, text.right)
  process.stdout.write(`genCrds: ${path} ${current === text.right ? 'unchanged' : 'written'}\n`)
  return 0
}

process.exitCode = main(process.argv.slice(2))
