import t from 'tap'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listLinks, readLink } from '../../../shell/l2/links.js'

/** A fake /sys/class/net: one directory per interface with the files links.ts reads. */
const mkSysNet = (links: Record<string, { ifindex?: string; address?: string; flags?: string; operstate?: string; master?: string }>): string => {
  const root = mkdtempSync(join(tmpdir(), 'ilb-sysnet-'))
  for (const [name, files] of Object.entries(links)) {
    const dir = join(root, name)
    mkdirSync(dir)
    for (const key of ['ifindex', 'address', 'flags', 'operstate'] as const) {
      const v = files[key]
      if (v !== undefined) writeFileSync(join(dir, key), `${v}\n`)
    }
    if (files.master !== undefined) symlinkSync(`../../devices/virtual/net/${files.master}`, join(dir, 'master'))
  }
  return root
}

t.test('reads every interface, with or without addresses', async (t) => {
  const root = mkSysNet({
    lo: { ifindex: '1', address: '00:00:00:00:00:00', flags: '0x9', operstate: 'unknown' },
    eth0: { ifindex: '2', address: '02:00:5E:10:00:0A', flags: '0x1003', operstate: 'up' },
    eth1: { ifindex: '3', address: '02:00:5e:10:00:0b', flags: '0x1002', operstate: 'down', master: 'bond0' },
    tun0: { ifindex: '4', flags: '0x1091', operstate: 'unknown' },
    broken: { address: '02:00:5e:10:00:0c' },
  })
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const links = await listLinks(root)
  t.same(
    links.map((l) => [l.name, l.ifindex, l.mac, l.up, l.noArp, l.loopback, l.master, l.operState]),
    [
      ['lo', 1, undefined, true, false, true, undefined, 'unknown'],
      ['eth0', 2, '02:00:5e:10:00:0a', true, false, false, undefined, 'up'],
      ['eth1', 3, '02:00:5e:10:00:0b', false, false, false, 'bond0', 'down'],
      ['tun0', 4, undefined, true, true, false, undefined, 'unknown'],
    ],
    'sorted by ifindex; an entry without ifindex is skipped',
  )
  t.equal(await readLink('missing', root), undefined)
  t.equal(await readLink('../etc', root), undefined, 'no path tricks')
  t.same(await listLinks(join(root, 'nope')), [])
})

t.test('the real /sys of this namespace has a loopback', async (t) => {
  const lo = await readLink('lo')
  t.equal(lo?.loopback, true)
  t.equal(lo?.ifindex, 1)
})
