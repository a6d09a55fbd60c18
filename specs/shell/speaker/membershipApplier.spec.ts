// What the speaker hands its failure detector: the thread and probe period it was given reach
// startMembership's options (membershipThread was once accepted and dropped here, so specs asking
// for the main thread got the worker), and nothing is set when nothing was given.
import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import { optionsOf } from '../../../shell/speaker/membershipApplier.js'
import { pacedConfig } from '../../../core/membership/config.js'
import { PROBE_INTERVAL_MS, parseProbeInterval } from '../../../shell/membership/options.js'
import { jsonLogger } from '../../../shell/obs/log.js'

const deps = {
  log: jsonLogger('none'),
  node: 'node1',
  membershipKey: Buffer.alloc(32, 1),
  memberlistBind: '192.0.2.1',
  memberlistPort: 7946,
  now: () => 0,
  kick: () => undefined,
}
const members = [{ name: 'node1', host: '192.0.2.1' }]

t.test('thread and probe period reach the detector; absent, the detector keeps its defaults', async (t) => {
  const given = optionsOf({ ...deps, membershipThread: 'main', membershipProbeIntervalMs: 200 }, members, new Map())
  t.equal(given.thread, 'main')
  t.same(given.config, pacedConfig(200), 'the period, with its timeouts paced to it')
  t.equal(given.config?.probeTimeoutMs, 160)
  t.equal(optionsOf({ ...deps, membershipThread: 'worker' }, members, new Map()).thread, 'worker')
  const plain = optionsOf(deps, members, new Map())
  t.notOk('thread' in plain, 'no thread: membership.ts picks the worker')
  t.notOk('config' in plain, 'no config: the core defaults (100 ms probes)')
})

t.test('--memberlist-probe-interval: a duration from 100 ms to 10 s', async (t) => {
  t.same(parseProbeInterval('200ms'), E.right(200))
  t.same(parseProbeInterval('1s'), E.right(1_000))
  t.same(parseProbeInterval('0.1'), E.right(PROBE_INTERVAL_MS.min), 'bare seconds, the lowest accepted')
  t.same(parseProbeInterval('10s'), E.right(PROBE_INTERVAL_MS.max), 'the highest accepted')
  for (const bad of ['99ms', '0', '10001ms', '1m', 'fast', '-200ms']) t.ok(E.isLeft(parseProbeInterval(bad)), `${bad} refused`)
})
