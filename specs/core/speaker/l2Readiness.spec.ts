import t from 'tap'
import fc from 'fast-check'
import { judgeL2Readiness, L2_UNABLE_REASONS, type InterfaceProbe, type ProbeOutcome } from '../../../core/speaker/l2Readiness.js'

const opened: ProbeOutcome = { _tag: 'Opened' }
const eperm: ProbeOutcome = { _tag: 'Failed', errno: 1, message: 'socket: Operation not permitted' }
const enodev: ProbeOutcome = { _tag: 'Failed', errno: 19, message: 'bind: No such device' }
const noAddon: ProbeOutcome = { _tag: 'AddonMissing', message: "IronLB's packet socket addon is not built" }
const p = (name: string, outcome: ProbeOutcome): InterfaceProbe => ({ name, outcome })

const rows: ReadonlyArray<{ desc: string; in: InterfaceProbe[]; want: string }> = [
  { desc: 'one interface opens', in: [p('eth0', opened)], want: 'Able' },
  { desc: 'one of two opens: enough to answer there', in: [p('eth0', enodev), p('eth1', opened)], want: 'Able' },
  { desc: 'no usable interface', in: [], want: 'NoUsableInterface' },
  { desc: 'the addon is not built', in: [p('eth0', noAddon)], want: 'AddonMissing' },
  { desc: 'no CAP_NET_RAW', in: [p('eth0', eperm)], want: 'NoPermission' },
  { desc: 'EACCES counts as no permission too', in: [p('eth0', { _tag: 'Failed', errno: 13, message: 'x' })], want: 'NoPermission' },
  { desc: 'another error on every interface', in: [p('eth0', enodev), p('eth1', { _tag: 'Failed', errno: undefined, message: 'x' })], want: 'OpenFailed' },
]

t.test('decision table', async (t) => {
  for (const row of rows) {
    const r = judgeL2Readiness(row.in)
    t.equal(r._tag === 'Able' ? 'Able' : r.reason, row.want, row.desc)
  }
})

t.test('the message names the interface and the kernel error', async (t) => {
  const r = judgeL2Readiness([p('eth0', eperm)])
  t.match(r, { _tag: 'Unable', message: /eth0: socket: Operation not permitted \(the speaker needs CAP_NET_RAW\)/ })
})

t.test('property: able exactly when some interface opened, and it lists just those', async (t) => {
  const outcome = fc.constantFrom(opened, eperm, enodev, noAddon)
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 6 }), outcome), { maxLength: 6 }), (list) => {
      const probes = list.map(([n, o]) => p(n, o))
      const r = judgeL2Readiness(probes)
      const want = probes.filter((x) => x.outcome._tag === 'Opened').map((x) => x.name)
      return want.length > 0 ? r._tag === 'Able' && r.interfaces.join('|') === want.join('|') : r._tag === 'Unable' && (L2_UNABLE_REASONS as readonly string[]).includes(r.reason)
    }),
  )
  t.pass('ok')
})
