import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { manifestFiles } from '../../../shell/yaml/manifestFiles.js'

const scratch = (t: { teardown: (fn: () => void) => void }): string => {
  const dir = mkdtempSync(join(tmpdir(), 'ironlb-walk-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

t.test('loops and second names are read once, each a note', async (t) => {
  const dir = scratch(t)
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'a.yaml'), '')
  writeFileSync(join(dir, 'sub', 'b.yml'), '')
  symlinkSync('.', join(dir, 'self1'))
  symlinkSync('.', join(dir, 'self2'))
  symlinkSync('..', join(dir, 'sub', 'up'))
  symlinkSync('a.yaml', join(dir, 'z-alias.yaml'))
  const got = await manifestFiles([dir])
  t.same(got.files, [join(dir, 'a.yaml'), join(dir, 'sub', 'b.yml')])
  t.same(got.problems, [])
  t.same(
    got.notes.map((n) => n.slice(dir.length + 1).replace(/already read as .*/, 'already read')),
    ['self1: skipped, already read', 'self2: skipped, already read', 'sub/up: skipped, already read', 'z-alias.yaml: skipped, already read'],
  )
})

t.test('paths that cannot be read are problems naming the path; the rest is still read', async (t) => {
  const dir = scratch(t)
  writeFileSync(join(dir, 'ok.yaml'), '')
  symlinkSync('missing.yaml', join(dir, 'dangling.yaml'))
  const got = await manifestFiles([join(dir, 'nope'), dir, '/dev/null'])
  t.same(got.files, [join(dir, 'ok.yaml')])
  t.same(got.problems, [
    { path: join(dir, 'nope'), detail: 'no such file or folder (or a symlink to nothing)' },
    { path: join(dir, 'dangling.yaml'), detail: 'no such file or folder (or a symlink to nothing)' },
    { path: '/dev/null', detail: 'not a regular file or folder' },
  ])
})

t.test('a file named explicitly is read whatever its extension; in folders only manifests', async (t) => {
  const dir = scratch(t)
  writeFileSync(join(dir, 'notes.txt'), '')
  writeFileSync(join(dir, 'x.json'), '')
  t.same((await manifestFiles([dir])).files, [join(dir, 'x.json')])
  t.same((await manifestFiles([join(dir, 'notes.txt')])).files, [join(dir, 'notes.txt')])
})
