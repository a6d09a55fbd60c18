// `ironlb-lab down` runs as root and takes any --state path: it deletes only a folder that `up`
// marked as a lab's (a folder that was not a lab was once removed whole).
import t, { type Test } from 'tap'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { labDown } from '../../../shell/lab/down.js'
import { LAB_MARKER, claimLabFolder, isLabFolder, refusalToRemove } from '../../../shell/lab/marker.js'

const scratch = (t: Test): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ilb-marker-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('down refuses a folder that is not a lab and leaves everything in it', async (t) => {
  const home = join(scratch(t), 'someones-home')
  mkdirSync(home)
  writeFileSync(join(home, 'thesis.tex'), 'years of work\n')
  await t.rejects(labDown(home), /someones-home is not a lab folder \(no \.ironlb-lab marker in it\): refusing to delete it/)
  t.ok(existsSync(join(home, 'thesis.tex')), 'the file is still there')
  t.same(readdirSync(join(home, '..')).sort(), ['someones-home'], 'no lock file was left beside it')
})

t.test('down refuses an empty folder it did not mark', async (t) => {
  const empty = join(scratch(t), 'empty')
  mkdirSync(empty)
  await t.rejects(labDown(empty), /not a lab folder/)
  t.ok(existsSync(empty))
})

t.test('down removes a folder the lab claimed, and a missing folder is no error', async (t) => {
  const lab = join(scratch(t), 'lab')
  claimLabFolder(lab, 'abc123')
  writeFileSync(join(lab, 'state.json'), '{}\n')
  t.ok(isLabFolder(lab))
  const report = await labDown(lab)
  t.notOk(existsSync(lab), 'the lab folder is gone')
  t.same(report.namespaces, [], 'no namespaces belonged to it')
  await t.resolves(labDown(lab), 'running down again is fine')
})

t.test('up claims only an absent, empty or already-marked folder', async (t) => {
  const base = scratch(t)
  const taken = join(base, 'taken')
  mkdirSync(taken)
  writeFileSync(join(taken, 'notes.txt'), 'mine\n')
  t.throws(() => claimLabFolder(taken, 'x'), /taken is not empty and not a lab folder/)
  t.notOk(existsSync(join(taken, LAB_MARKER)), 'no marker was written into it')
  const fresh = join(base, 'fresh')
  claimLabFolder(fresh, 'x')
  t.equal(refusalToRemove(fresh), undefined)
  writeFileSync(join(fresh, 'state.json'), '{}\n')
  t.doesNotThrow(() => claimLabFolder(fresh, 'x'), 'a marked folder can be claimed again (up after up)')
})
