// `make bench-metallb`'s last step: the rows every part left in DIR (metallbRows.ts) as one table, MetalLB
// v0.16.2 beside IronLB with the ratios, then each part's notes (when, at which load). A part that did not
// finish is named as missing, not silently left out.
//
//   node dist/specs/bench/metallbReport.js DIR
import { existsSync } from 'node:fs'
import { loadRows } from './metallbRows.js'

const PARTS = ['controller', 'speaker', 'Layer 2 failover', 'BGP']

const main = (): void => {
  const dir = process.argv[2]
  if (dir === undefined || !existsSync(dir)) throw new Error('usage: metallbReport.js DIR (the folder the parts wrote with --out=DIR)')
  const parts = loadRows(dir)
  const print = (line: string): void => void process.stdout.write(`${line}\n`)
  print(`\nMetalLB v0.16.2 and IronLB side by side (make bench-metallb), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC:\n`)
  print('| | MetalLB v0.16.2 | IronLB | IronLB / MetalLB |')
  print('|---|---|---|---|')
  for (const p of parts) for (const r of p.rows) print(r)
  print('')
  for (const p of parts) for (const n of p.notes) print(`- ${n}`)
  const missing = PARTS.filter((name) => !parts.some((p) => p.part === name))
  if (missing.length > 0) {
    print(`- missing (did not finish): ${missing.join(', ')}`)
    process.exitCode = 1
  }
}

main()
