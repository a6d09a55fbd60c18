// The pure judges of what the client's probe saw (the e2e specs and the demo rely on them).
import t from 'tap'
import { moveAfter, switchTimes, type Sample } from '../../../shell/lab/demo.js'

const IP = '198.51.100.200'
const ok = (t: number, who: string): Sample => ({ ip: IP, t, ms: 1, who })
const bad = (t: number, error = 'timeout (no connection)'): Sample => ({ ip: IP, t, ms: 200, error })

t.test('moveAfter: the silence runs from the last answer before the move to the first from another node', async (t) => {
  const samples = [ok(0, 'node1'), ok(20, 'node1'), bad(40), bad(60), ok(80, 'node1'), bad(100), bad(120), ok(140, 'node2'), bad(160), ok(180, 'node2')]
  const m = moveAfter(samples, IP, 'node1', 30)
  t.same(m, { to: 'node2', at: 140, silentMs: 60, failed: 2, failedAfter: 1, spacingMs: 20 })
  t.equal(moveAfter(samples, IP, 'node1', 150)?.at, 180, 'only answers after the fault count')
  t.equal(moveAfter(samples, IP, 'node2', 100), undefined, 'nobody but node2 answered after 100')
  t.equal(moveAfter(samples, '2001:db8::1', 'node1', 0), undefined, 'other IPs are not looked at')
})

t.test('switchTimes: each change of the answering node, failures in between ignored', async (t) => {
  const samples = [ok(0, 'node1'), bad(20, 'ECONNRESET'), ok(40, 'node2'), ok(60, 'node2'), bad(80), ok(100, 'node1'), ok(120, 'node1')]
  t.same(switchTimes(samples, IP), [40, 100])
  t.same(switchTimes([...samples].reverse(), IP), [40, 100], 'order of arrival does not matter')
  t.same(switchTimes([bad(0), ok(20, 'node3')], IP), [], 'a first answer is no switch')
})
