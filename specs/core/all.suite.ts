// Every spec of the pure core in one process. tap starts a process per file, and its start-up
// (loaders, plugins) costs ~3 s of CPU, more than most of these specs take to run; the core keeps no
// state between imports, so sharing a process changes nothing but the time. `make unit` runs this
// file instead of the core's *.spec.ts one by one; any single spec still runs alone with `npx tap`.
// The *.netns.spec.ts (the codec against a real router, as root) start processes: those run alone.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'

const here = fileURLToPath(new URL('.', import.meta.url))
const specsUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? specsUnder(join(dir, e.name)) : e.name.endsWith('.spec.ts') && !e.name.endsWith('.netns.spec.ts') ? [join(dir, e.name)] : []))
    .sort()

// The sum of the core's specs, on a busy two-core machine: far beyond tap's 30 s per file.
t.setTimeout(900_000)
for (const file of specsUnder(here)) await import(pathToFileURL(file).href)
