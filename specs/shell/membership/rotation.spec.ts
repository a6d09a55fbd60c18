// Rotating Secret memberlist under running detectors (real UDP on loopback, real key files laid out
// as the kubelet mounts them). The kubelet updates each node's copy at its own moment, so the new key
// reaches the three nodes 400 ms apart here; afterwards a speaker restarts and reads only the new
// key (a rolling update during the rotation). Throughout, no detector may lose sight of another and
// no datagram may fail authentication; once the grace is over each signs with the new key alone.
import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { type MembershipHandle, startMembership } from '../../../shell/membership/membership.js'
import type { MemberSpec, MembershipEvent } from '../../../shell/membership/options.js'
import { readKeyFile } from '../../../shell/membership/keyFile.js'
import { sleep, waitFor } from './support/cluster.js'
import { writeSecretVolume } from './support/secretVolume.js'

t.setTimeout(60_000)
const OLD = 'old-memberlist-key-0123456789abcdef'
const NEW = 'new-memberlist-key-0123456789abcdef'
const GRACE_MS = 3_000

interface Speaker {
  readonly name: string
  readonly dir: string
  handle: MembershipHandle
  readonly history: Array<readonly [number, ReadonlySet<string>]>
  readonly events: MembershipEvent[]
}

const start = async (name: string, dir: string, port: number, history: Speaker['history'], events: MembershipEvent[]): Promise<MembershipHandle> => {
  const keyFile = join(dir, 'secretkey')
  const read = readKeyFile(keyFile)
  if (!read.ok) throw new Error(read.error)
  return startMembership({
    self: name,
    bindAddress: '127.0.0.1',
    port,
    key: read.key,
    keyFile,
    keyGraceMs: GRACE_MS,
    members: [],
    thread: 'main',
    onChange: (alive) => history.push([performance.now(), alive]),
    onEvent: (e) => events.push(e),
  })
}

t.test('rotation: staggered across nodes, then a restart that knows only the new key', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ironlb-rotation-'))
  const speakers: Speaker[] = []
  try {
    for (let i = 0; i < 3; i++) {
      const name = `node-${i}`
      const dir = join(root, name)
      writeSecretVolume(dir, 'secretkey', OLD)
      const history: Speaker['history'] = []
      const events: MembershipEvent[] = []
      speakers.push({ name, dir, handle: await start(name, dir, 0, history, events), history, events })
    }
    const universe: MemberSpec[] = speakers.map((s) => ({ name: s.name, host: '127.0.0.1', port: s.handle.port }))
    for (const s of speakers) s.handle.setMembers(universe)
    const all = (s: Speaker): boolean => s.handle.alive().size === 3
    t.ok((await waitFor(() => speakers.every(all), 3_000)) !== undefined, 'all three see each other on the old key')
    await sleep(300)

    const t0 = performance.now()
    for (const s of speakers) {
      writeSecretVolume(s.dir, 'secretkey', NEW)
      await sleep(400)
    }
    const rotated = await waitFor(() => speakers.every((s) => s.events.some((e) => e.event === 'key' && e.change === 'rotated')), 3_000)
    t.ok(rotated !== undefined, 'every detector rotated to the new key')
    await sleep(500)

    // The rolling update: node-2 restarts on the same port and reads only the new key.
    const last = speakers[2] as Speaker
    await last.handle.stop()
    last.handle = await start(last.name, last.dir, universe[2]?.port ?? 0, last.history, last.events)
    last.handle.setMembers(universe)
    const tRestart = performance.now()
    t.ok((await waitFor(() => speakers.every(all), 3_000, 5)) !== undefined, 'the restarted speaker and the others see each other')
    // Longer than an unconfirmed suspicion lasts (1.5 s): a split would show as a loss by now.
    await sleep(2_500)

    const lost = speakers.flatMap((s) =>
      // The restarted detector starts with an empty universe (reported before setMembers): skipped.
      s.history.filter(([at, alive]) => at >= t0 && alive.size < 3 && !(s === last && at < tRestart)).map(([at, alive]) => `${s.name} at +${(at - t0).toFixed(0)} ms: ${[...alive].join(',')}`),
    )
    t.same(lost, [], 'no detector ever lost sight of another (before, during and after the rotation)')
    t.same(speakers.map((s) => s.handle.stats().authFailures), [0, 0, 0], 'no datagram failed authentication')

    await waitFor(() => speakers.every((s) => s.handle.stats().signingKeys === 1), GRACE_MS + 2_000, 50)
    t.same(speakers.map((s) => s.handle.stats().signingKeys), [1, 1, 1], 'after the grace each signs with the new key alone')
    t.ok(speakers.slice(0, 2).every((s) => s.events.some((e) => e.event === 'key' && e.change === 'previous-retired')), 'and says the old key is retired')
    await sleep(300)
    t.ok(speakers.every(all), 'still all together on the new key alone')
  } finally {
    await Promise.allSettled(speakers.map((s) => s.handle.stop()))
    rmSync(root, { recursive: true, force: true })
  }
})

t.test('a key file that turns into no key is refused and the detector keeps its key', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ironlb-rotation-'))
  const events: MembershipEvent[] = []
  let handle: MembershipHandle | undefined
  try {
    writeSecretVolume(root, 'secretkey', OLD)
    handle = await start('node-0', root, 0, [], events)
    writeSecretVolume(root, 'secretkey', 'short')
    await waitFor(() => events.some((e) => e.event === 'key'), 2_000)
    t.match(events.filter((e) => e.event === 'key'), [{ change: 'refused', detail: /5 bytes \(TooShort\); keeping the current key/ }])
    t.equal(handle.stats().keyRotations, 0)
  } finally {
    await handle?.stop()
    rmSync(root, { recursive: true, force: true })
  }
})
