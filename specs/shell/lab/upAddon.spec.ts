// `ironlb-lab up` refuses to start without the packet socket addon (issue 8 §3): its speakers could
// not answer ARP/NDP, yet the lab used to report itself up. The check runs before anything is made.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { PacketAddonMissing } from '../../../shell/native/packetSocket.js'
import { upLab } from '../../../shell/lab/up.js'

t.test('up without the addon: refused, with how to build it, and nothing made', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'ironlb-upaddon-'))
  const saved = process.env['IRONLB_PACKET_ADDON']
  t.teardown(() => {
    if (saved === undefined) delete process.env['IRONLB_PACKET_ADDON']
    else process.env['IRONLB_PACKET_ADDON'] = saved
    rmSync(parent, { recursive: true, force: true })
  })
  process.env['IRONLB_PACKET_ADDON'] = join(parent, 'no-such-addon.node')
  const stateDir = join(parent, 'lab')
  const err = await upLab({ stateDir, k8sBinDir: join(parent, 'no-bins') }).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.ok(err instanceof PacketAddonMissing, `refused with PacketAddonMissing (got ${String(err)})`)
  t.match(String((err as Error | undefined)?.message), /make native/, 'the message says how to build it')
  t.notOk(existsSync(stateDir), 'no lab folder was made')
})

t.test('a lab without speakers needs no addon: the check does not stand in its way', async (t) => {
  const parent = mkdtempSync(join(tmpdir(), 'ironlb-upaddon-'))
  const saved = process.env['IRONLB_PACKET_ADDON']
  t.teardown(() => {
    if (saved === undefined) delete process.env['IRONLB_PACKET_ADDON']
    else process.env['IRONLB_PACKET_ADDON'] = saved
    rmSync(parent, { recursive: true, force: true })
  })
  process.env['IRONLB_PACKET_ADDON'] = join(parent, 'no-such-addon.node')
  // Aborted before the first step: whatever up then reports, it is not the addon.
  const abort = new AbortController()
  abort.abort()
  const err = await upLab({ stateDir: join(parent, 'lab'), speakers: false, k8sBinDir: join(parent, 'no-bins'), signal: abort.signal }).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.notOk(err instanceof PacketAddonMissing, `not refused for the addon (got ${String(err)})`)
})
