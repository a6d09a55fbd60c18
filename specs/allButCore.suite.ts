// Every unit spec outside specs/core in one process, as specs/core/all.suite.ts does for the core (its
// name sorts first: tap starts files in name order, and this one is the longest, so it gets a lane of its
// own from the start while the other lane runs the core's suite and the netns specs):
// tap starts a process per file, and its start-up (loaders, plugins) costs about a second of a quiet
// core, more than most of these specs take to run. Found by name, so a new *.spec.ts joins by itself.
// Left to a process of their own (the Makefile lists them beside this file): the core's (its suite),
// *.netns.spec.ts (namespaces, real routers), and any spec whose first lines hold OWN_PROCESS: one
// that plans or exits its process, or needs module state nobody loaded before it.
// A failing assertion is named by its spec file (tap's report maps the stack to the file and line); a
// file that throws while loading fails here, named, and the files after it still run.
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import t from 'tap'

export const OWN_PROCESS = '// unit-suite: own process'

const here = fileURLToPath(new URL('.', import.meta.url))

const specsUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? specsUnder(join(dir, e.name)) : e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : []))
    .sort()

/** Whether `file` runs in this suite (the Makefile runs the others one process each). */
const inSuite = (file: string): boolean =>
  !file.startsWith(join(here, 'core') + '/') && !file.endsWith('.netns.spec.ts') && !readFileSync(file, 'utf8').split('\n', 12).some((l) => l.startsWith(OWN_PROCESS))

// The sum of these specs on a busy two-core machine: far beyond tap's per-file timeout.
t.setTimeout(900_000)
// Every file is loaded first, inside this subtest: while it runs the root is busy, so the files'
// top-level tests queue behind it, in file order. A spec's tests then never share the event loop
// with the compiling of a later file (the membership specs time delays of 100 ms).
await t.test(`load ${specsUnder(here).filter(inSuite).length} spec files`, async (t) => {
  for (const file of specsUnder(here).filter(inSuite))
    await import(pathToFileURL(file).href).then(
      () => t.pass(relative(join(here, '..'), file)),
      (e: unknown) => t.fail(`${relative(join(here, '..'), file)} failed to load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
    )
})
// A spec may have set the root's timeout for itself; the suite's whole run needs the long one.
t.setTimeout(900_000)
