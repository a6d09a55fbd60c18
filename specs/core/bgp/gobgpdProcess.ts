// gobgpd run raw in a spec's namespace with a config of the spec's own (passive mode, connect-retry: what the
// shared harness does not set), its API on the namespace's loopback, and the end of its log kept for a
// failing spec's comment.
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import type { Lab } from '../../support/netns.js'

export interface Gobgpd {
  /** Starts gobgpd (again, after a kill) with the config. */
  readonly start: () => ChildProcess
  /** `gobgp` against it; its stdout. */
  readonly cli: (args: readonly string[]) => Promise<string>
  /** The last `keepChars` of its stdout and stderr. */
  readonly log: () => string
}

export const gobgpdIn = (t: Test, lab: Lab, ns: string, config: string, level: 'info' | 'debug', keepChars: number): Gobgpd => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-gobgp-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'gobgpd.toml'), config)
  let log = ''
  const keep = (d: Buffer): void => void (log = (log + d.toString()).slice(-keepChars))
  return {
    start: () => {
      const router = lab.spawn(ns, ['gobgpd', '-f', join(dir, 'gobgpd.toml'), '-t', 'toml', '--api-hosts', '127.0.0.1:50051', '--pprof-disable', '-l', level])
      router.stdout?.on('data', keep)
      router.stderr?.on('data', keep)
      return router
    },
    cli: async (args) => (await lab.exec(ns, ['gobgp', '--host', '127.0.0.1', '--port', '50051', ...args], 10_000)).stdout,
    log: () => log,
  }
}
