import t from 'tap'
import { unsafeIp } from '../../../core/net/address.js'
import { announcedSet, drop, isAnnounced, reply } from '../../../core/packet/respond.js'

t.test('announced sets keep families apart', async (t) => {
  const set = announcedSet([unsafeIp(4, 5n), unsafeIp(6, 0x20010db8n << 96n)])
  t.ok(isAnnounced(set, unsafeIp(4, 5n)))
  t.notOk(isAnnounced(set, unsafeIp(6, 5n)), '::5 is not 0.0.0.5')
  t.ok(isAnnounced(set, unsafeIp(6, 0x20010db8n << 96n)))
  t.notOk(isAnnounced(announcedSet([]), unsafeIp(4, 5n)))
})

t.test('verdict constructors', async (t) => {
  t.same(drop('X'), { _tag: 'Drop', reason: 'X' })
  t.notOk('ip' in drop('X'), 'no ip key when not given (exactOptionalPropertyTypes)')
  t.same(drop('X', unsafeIp(4, 1n)), { _tag: 'Drop', reason: 'X', ip: unsafeIp(4, 1n) })
  t.same(reply(new Uint8Array([1]), unsafeIp(4, 1n)), { _tag: 'Reply', frame: new Uint8Array([1]), ip: unsafeIp(4, 1n) })
})
