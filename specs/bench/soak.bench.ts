// The end-to-end soaks at full length, in the live lab (root): 5% LAN loss for 60 s and the API
// server stopped for 60 s (specs/e2e/outages.e2e.ts). `make test` runs the same file shorter
// (specs/e2e/runLength.ts); here IRONLB_E2E_FULL=1 gives it the length it had, with the same
// assertions: the bench prints its TAP (the figures are its comments) and fails when the spec fails.
import { spawn } from 'node:child_process'
import { repoRoot } from '../support/repoRoot.js'

const SPECS = ['specs/e2e/outages.e2e.ts']

export async function benchSoak(): Promise<void> {
  if (process.getuid?.() !== 0) {
    process.stdout.write('soak: skipped (the lab needs root)\n')
    return
  }
  const args = ['tap', '--reporter=tap', '--allow-incomplete-coverage', '--disable-coverage', '--jobs=1', '--timeout=1200', ...SPECS]
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('npx', args, { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, IRONLB_E2E_FULL: '1' } })
    child.once('error', reject)
    child.once('exit', (c, signal) => resolve(signal === null ? (c ?? 1) : 1))
  })
  if (code !== 0) throw new Error(`soak: the full-length specs failed (tap exited ${code})`)
}
