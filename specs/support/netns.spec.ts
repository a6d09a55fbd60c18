// The lab helper keeps its promise: namespaces go away when the spec process throws, is
// terminated, or was killed outright (then the next lab's sweep removes them).
import t from 'tap'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Lab, netnsUnavailable, sweepStaleLabs } from './netns.js'
import { tsNodeArgs } from './netnsAgent.js'

const HELPER = fileURLToPath(new URL('./netns.ts', import.meta.url))

const exists = (name: string): boolean => Lab.existing(name).includes(name)

/** A child node that makes a lab namespace, prints its name, then does `then`. */
const childScript = (then: string): string =>
  `import(${JSON.stringify(HELPER)}).then(async ({ Lab }) => {
     const lab = new Lab()
     const ns = await lab.namespace('kid')
     process.stdout.write(ns + '\\n')
     ${then}
   })`

// Namespaces, child processes and real tools: more than tap's 30 s default on a busy 2-core machine.
t.setTimeout(180_000)
const why = netnsUnavailable()
if (why !== undefined) {
  t.plan(0, `skipped: ${why}`)
} else {
  t.test('a spec process that throws still removes its namespaces', async (t) => {
    const env = { ...process.env }
    delete env['NODE_OPTIONS']
    const r = spawnSync(process.execPath, [...tsNodeArgs(), '-e', childScript("throw new Error('boom')")], { encoding: 'utf8', timeout: 20_000, env })
    const ns = r.stdout.trim()
    t.match(ns, /^ilb-\d+-[0-9a-f]{6}-kid$/)
    t.not(r.status, 0, 'the child failed')
    t.notOk(exists(ns), 'namespace removed by the exit handler')
  })

  t.test('a terminated spec process removes its namespaces', async (t) => {
    const env = { ...process.env }
    delete env['NODE_OPTIONS']
    const child = spawn(process.execPath, [...tsNodeArgs(), '-e', childScript('setTimeout(() => undefined, 30_000)')], { env })
    const ns = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('child did not start')), 20_000)
      child.stdout.once('data', (d: Buffer) => {
        clearTimeout(timer)
        resolve(d.toString().trim())
      })
    })
    t.ok(exists(ns), 'namespace exists while the child runs')
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    child.kill('SIGTERM')
    await exited
    t.notOk(exists(ns), 'namespace removed by the signal handler')
  })

  t.test('namespaces of a dead process are swept; live ones and foreign ones are not', async (t) => {
    const dead = spawnSync('true').pid ?? 999_999
    const stale = `ilb-${dead}-abcdef-old`
    const foreign = `ilbx-${dead}-abcdef-old`
    execFileSync('ip', ['netns', 'add', stale])
    execFileSync('ip', ['netns', 'add', foreign])
    t.teardown(() => {
      for (const n of [stale, foreign]) spawnSync('ip', ['netns', 'del', n])
    })
    const mine = new Lab()
    t.teardown(() => mine.destroy())
    const live = await mine.namespace('live')
    sweepStaleLabs()
    t.notOk(exists(stale), 'stale lab namespace swept')
    t.ok(exists(foreign), 'a name without our prefix is left alone')
    t.ok(exists(live), "this process's lab is left alone")
  })

  t.test('a lab refuses addresses outside the documentation ranges and namespaces not its own', async (t) => {
    const lab = new Lab()
    t.teardown(() => lab.destroy())
    const ns = await lab.namespace('a')
    await t.rejects(lab.address(ns, 'lo', '10.0.0.1/8'), /not a documentation address/)
    await t.rejects(lab.address('default', 'lo', '192.0.2.1/24'), /not a namespace of lab/)
    t.throws(() => lab.spawn('init', ['true']), /not a namespace of lab/)
  })
}
