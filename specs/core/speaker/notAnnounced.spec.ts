// Which IPs carry a reason, what changed since the last pass, and the counts per reason.
import t from 'tap'
import type { NodeEntry } from '../../../core/l2/decision.js'
import { serviceKey } from '../../../core/model/names.js'
import { NOT_ANNOUNCED_REASONS, changedReasons, countReasons, notAnnouncedOf } from '../../../core/speaker/notAnnounced.js'
import { ip } from '../l2/mk.js'

const entry = (svc: string, address: string | undefined, decision: NodeEntry['decision']): NodeEntry => ({
  service: serviceKey('default', svc),
  ip: address === undefined ? undefined : ip(address),
  decision,
})
const skip = (reason: Extract<NodeEntry['decision'], { _tag: 'Skip' }>['reason']): NodeEntry['decision'] => ({ _tag: 'Skip', reason })

t.test('reasons kept: IPs not announced here, and our Services waiting for an IP', async (t) => {
  const entries = [
    entry('web', '198.51.100.1', { _tag: 'Announce', interfaces: { _tag: 'AllInterfaces' } }),
    entry('db', '198.51.100.2', skip('NotOwner')),
    entry('db', '2001:db8::2', skip('NotOwner')),
    entry('new', undefined, skip('NoIP')),
    entry('cip', undefined, skip('NotLoadBalancer')),
    entry('other', undefined, skip('OtherLoadBalancerClass')),
    entry('moved', '198.51.100.3', skip('NotLoadBalancer')),
  ]
  const m = notAnnouncedOf(entries)
  t.same([...m.keys()], ['default/db 198.51.100.2', 'default/db 2001:db8::2', 'default/new', 'default/moved 198.51.100.3'])
  t.same(Object.fromEntries([...countReasons(m)].filter(([, n]) => n > 0)), { NotOwner: 2, NoIP: 1, NotLoadBalancer: 1 })
  t.equal(countReasons(m).size, NOT_ANNOUNCED_REASONS.length, 'every reason has a count, 0 when none')
})

t.test('changes: new and different reasons only', async (t) => {
  const before = notAnnouncedOf([entry('db', '198.51.100.2', skip('NotOwner')), entry('web', '198.51.100.1', skip('NoEndpoints'))])
  const after = notAnnouncedOf([entry('db', '198.51.100.2', skip('NotOwner')), entry('web', '198.51.100.1', skip('NotOwner')), entry('api', '198.51.100.4', skip('SpeakerDown'))])
  t.same(changedReasons(before, after).map((n) => `${n.service} ${n.ip}: ${n.reason}`), ['default/web 198.51.100.1: NotOwner', 'default/api 198.51.100.4: SpeakerDown'])
  t.same(changedReasons(after, after), [], 'the same pass again: nothing')
  t.same(changedReasons(after, new Map()), [], 'a reason that goes (announced now, or the Service gone) is no new reason')
})

t.test('the label set is the reason list: fourteen, no repeats', async (t) => {
  t.equal(new Set(NOT_ANNOUNCED_REASONS).size, 14)
})
