// The key file as the kubelet mounts it (shell/membership/keyFile.ts): a swap of the `..data` symlink
// is noticed through the folder, quickly; an unreadable file is reported once, not thrown; stop ends
// the watch. Real files in a temporary folder, always removed.
import t from 'tap'
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { readKeyFile, watchKeyFile } from '../../../shell/membership/keyFile.js'
import { sleep, waitFor } from './support/cluster.js'
import { writeSecretVolume } from './support/secretVolume.js'

const withVolume = async (body: (dir: string) => Promise<void>): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-keyfile-'))
  try {
    await body(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

t.test('a kubelet-style update of the Secret is read within a fraction of a second', async (t) => {
  await withVolume(async (dir) => {
    writeSecretVolume(dir, 'secretkey', 'first-key-0123456789')
    const file = join(dir, 'secretkey')
    const first = readKeyFile(file)
    t.same(first.ok ? Buffer.from(first.key).toString() : first.error, 'first-key-0123456789')
    const reads: string[] = []
    const errors: string[] = []
    // No backstop poll within the test: only the folder watch can see the swap.
    const w = watchKeyFile(file, (k) => reads.push(Buffer.from(k).toString()), (e) => errors.push(e), { debounceMs: 20, pollMs: 600_000 })
    try {
      await sleep(50)
      const at = performance.now()
      writeSecretVolume(dir, 'secretkey', 'second-key-0123456789')
      const seen = await waitFor(() => reads.includes('second-key-0123456789'), 2_000)
      t.ok(seen !== undefined, 'the new key was read')
      t.comment(`read ${((seen ?? at) - at).toFixed(0)} ms after the swap`)
      t.ok((seen ?? Infinity) - at < 1_000, 'within 1 s')
      t.same(errors, [])
    } finally {
      w.stop()
    }
  })
})

t.test('an unreadable key file is reported once, not thrown; the poll picks up its return', async (t) => {
  await withVolume(async (dir) => {
    const file = join(dir, 'plain-key')
    writeFileSync(file, 'plain-key-0123456789')
    const reads: string[] = []
    const errors: string[] = []
    const w = watchKeyFile(file, (k) => reads.push(Buffer.from(k).toString()), (e) => errors.push(e), { debounceMs: 10, pollMs: 100 })
    try {
      unlinkSync(file)
      await waitFor(() => errors.length > 0, 2_000)
      await sleep(400)
      t.equal(errors.length, 1, `one report for the missing file (${errors.join('; ')})`)
      t.match(errors[0] ?? '', /cannot read the memberlist key .*plain-key/, 'naming the file')
      writeFileSync(file, 'back-again-0123456789')
      t.ok((await waitFor(() => reads.includes('back-again-0123456789'), 2_000)) !== undefined, 'read again once it is back')
    } finally {
      w.stop()
    }
    const n = reads.length
    writeFileSync(file, 'after-stop-0123456789')
    await sleep(300)
    t.equal(reads.length, n, 'nothing is read after stop')
  })
})

t.test('a missing folder is reported, not thrown', async (t) => {
  const errors: string[] = []
  const w = watchKeyFile(join(tmpdir(), 'ironlb-no-such-folder', 'secretkey'), () => t.fail('nothing to read'), (e) => errors.push(e), { pollMs: 600_000 })
  w.stop()
  t.match(errors.join('; '), /cannot watch/)
})
