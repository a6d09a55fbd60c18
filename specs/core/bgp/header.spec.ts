import t from 'tap'
import fc from 'fast-check'
import { frame, splitMessages, type RawMessage } from '../../../core/bgp/header.js'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

t.test('a KEEPALIVE is 16 marker bytes, length 19, type 4', async (t) => {
  t.equal(hex(frame('KEEPALIVE')), `${'ff'.repeat(16)}001304`)
})

t.test('broken headers get the NOTIFICATION RFC 4271 §6.1 names', async (t) => {
  const keepalive = frame('KEEPALIVE')
  const badMarker = Uint8Array.from(keepalive)
  badMarker[3] = 0
  t.same(splitMessages(badMarker).error, { code: 1, subcode: 1, data: new Uint8Array(0) }, 'marker not all ones: Connection Not Synchronized')
  const long = Uint8Array.from(keepalive)
  long[17] = 20
  t.same(splitMessages(long).error, { code: 1, subcode: 2, data: Uint8Array.of(0, 20) }, 'a KEEPALIVE of 20 bytes: Bad Message Length, with the length')
  const huge = Uint8Array.from(keepalive)
  huge[16] = 0x10
  huge[17] = 0x01
  t.same(splitMessages(huge).error?.data, Uint8Array.of(0x10, 0x01), 'over 4096: Bad Message Length')
  const type9 = Uint8Array.from(keepalive)
  type9[18] = 9
  t.same(splitMessages(type9).error, { code: 1, subcode: 3, data: Uint8Array.of(9) }, 'type 9: Bad Message Type, with the type')
  const shortOpen = frame('KEEPALIVE')
  shortOpen[18] = 1
  t.same(splitMessages(shortOpen).error?.subcode, 2, 'an OPEN of 19 bytes is too short')
})

t.test('messages before a broken header are kept; an incomplete one waits in rest', async (t) => {
  const a = frame('KEEPALIVE')
  const b = frame('NOTIFICATION', Uint8Array.of(6, 2))
  const both = new Uint8Array([...a, ...b.slice(0, 10)])
  const r = splitMessages(both)
  t.same(r.messages.map((m) => m.type), ['KEEPALIVE'])
  t.equal(hex(r.rest), hex(b.slice(0, 10)))
  t.equal(r.error, undefined)
})

const messageArb: fc.Arbitrary<RawMessage> = fc.oneof(
  fc.constant<RawMessage>({ type: 'KEEPALIVE', body: new Uint8Array(0) }),
  fc.uint8Array({ minLength: 2, maxLength: 64 }).map((body): RawMessage => ({ type: 'NOTIFICATION', body })),
  fc.uint8Array({ minLength: 4, maxLength: 300 }).map((body): RawMessage => ({ type: 'UPDATE', body })),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((body): RawMessage => ({ type: 'ROUTE-REFRESH', body })),
)

t.test('property: any chunking of a stream of framed messages yields the same messages', async (t) => {
  fc.assert(
    fc.property(fc.array(messageArb, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }), (messages, cuts) => {
      const stream = Uint8Array.from(messages.flatMap((m) => [...frame(m.type, m.body)]))
      const got: RawMessage[] = []
      let rest: Uint8Array = new Uint8Array(0)
      let at = 0
      for (let i = 0; at < stream.length; i++) {
        const next = Math.min(stream.length, at + (cuts[i % cuts.length] ?? 1))
        const r = splitMessages(new Uint8Array([...rest, ...stream.slice(at, next)]))
        if (r.error !== undefined) return false
        got.push(...r.messages)
        rest = r.rest
        at = next
      }
      return rest.length === 0 && got.length === messages.length && got.every((m, i) => m.type === messages[i]?.type && hex(m.body) === hex(messages[i]?.body ?? new Uint8Array(0)))
    }),
    { numRuns: 300 },
  )
  t.pass('held')
})

t.test('property: framing is total on random bytes, and never loses or invents bytes', async (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (junk, marker) => {
      const bytes = marker ? new Uint8Array([...new Uint8Array(16).fill(0xff), ...junk]) : junk
      const r = splitMessages(bytes)
      const used = r.messages.reduce((n, m) => n + 19 + m.body.length, 0)
      return r.error !== undefined || used + r.rest.length === bytes.length
    }),
    { numRuns: 1000 },
  )
  t.pass('held')
})
