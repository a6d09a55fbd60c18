import t from 'tap'
import fc from 'fast-check'
import { defaultConfig, healthScore, pacedConfig, retransmitLimit, suspicionTimeout } from '../../../core/membership/config.js'

const c = defaultConfig

t.test('suspicion timeout (Lifeguard): from max down to min as confirmations arrive', async (t) => {
  t.equal(suspicionTimeout(c, 0, 50), c.suspicionMaxMs, 'no confirmation: max')
  t.equal(suspicionTimeout(c, c.suspicionConfirmations, 50), c.suspicionMinMs, 'K confirmations: min')
  t.equal(suspicionTimeout(c, 0, 2), c.suspicionMinMs, 'two members: nobody could confirm, min')
  t.equal(suspicionTimeout(c, 1, 3), c.suspicionMinMs, 'three members: one confirmation is all there can be')
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 2000 }), (k, n) => {
      const a = suspicionTimeout(c, k, n)
      const b = suspicionTimeout(c, k + 1, n)
      return b <= a && a <= c.suspicionMaxMs && b >= c.suspicionMinMs
    }),
  )
})

t.test('retransmit limit grows with log n; health score is capped', async (t) => {
  t.equal(retransmitLimit(c, 9), c.retransmitMult * 1)
  t.equal(retransmitLimit(c, 99), c.retransmitMult * 2)
  t.equal(retransmitLimit(c, 1000), c.retransmitMult * 4)
  t.equal(healthScore(c, 0, 0), 0)
  t.equal(healthScore(c, 1, c.directTimeoutMs * 2), 3, 'missed nacks plus two direct timeouts of loop delay')
  t.equal(healthScore(c, 100, 1e9), c.awarenessMax)
})

t.test('pacedConfig: timeouts grow with the probe period, the default unchanged at 100 ms', async (t) => {
  t.same(pacedConfig(100), c, 'at the default period, the default config')
  const s = pacedConfig(1_000)
  t.same([s.probeIntervalMs, s.directTimeoutMs, s.probeTimeoutMs, s.suspicionMinMs, s.suspicionMaxMs, s.deadProbeIntervalMs], [1_000, 300, 800, 2_500, 15_000, 2_000])
  t.equal(s.gossipIntervalMs, c.gossipIntervalMs, 'news still spreads at the default pace')
  fc.assert(
    fc.property(fc.integer({ min: 100, max: 10_000 }), (ms) => {
      const p = pacedConfig(ms)
      // A probe ends before the next one starts, and a suspicion outlasts a probe.
      return p.directTimeoutMs < p.probeTimeoutMs && p.probeTimeoutMs < p.probeIntervalMs && p.suspicionMinMs > p.probeTimeoutMs && p.suspicionMaxMs >= p.suspicionMinMs
    }),
  )
})
