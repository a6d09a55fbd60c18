import t from 'tap'
import fc from 'fast-check'
import { BROADCAST_MAC, isGroupMac, macAt, macBytes, parseMac } from '../../../core/packet/mac.js'
import { anyMac } from './arbitraries.js'

t.test('parseMac', async (t) => {
  t.equal(parseMac('02:00:5E:10:00:0A'), '02:00:5e:10:00:0a')
  t.equal(parseMac('02-00-5e-10-00-0a'), '02:00:5e:10:00:0a')
  t.equal(parseMac(' 02:00:5e:10:00:0a\n'), '02:00:5e:10:00:0a', 'as /sys prints it')
  t.equal(parseMac('02:00:5e:10:00'), undefined)
  t.equal(parseMac('02:00:5e:10:00:0g'), undefined)
  t.equal(parseMac('2:0:5e:10:0:a'), undefined)
})

t.test('bytes round trip', async (t) => {
  fc.assert(fc.property(anyMac, (m) => macAt(macBytes(m), 0) === m && Buffer.from(macBytes(m)).toString('hex') === m.replace(/:/g, '')))
  t.same([...macBytes(BROADCAST_MAC)], [255, 255, 255, 255, 255, 255])
})

t.test('group bit', async (t) => {
  t.ok(isGroupMac(BROADCAST_MAC))
  t.ok(isGroupMac(parseMac('33:33:ff:00:00:10') ?? BROADCAST_MAC))
  t.notOk(isGroupMac(parseMac('02:00:5e:10:00:0a') ?? BROADCAST_MAC))
})
