import t from 'tap'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { splitMessages } from '../../../core/bgp/header.js'
import { type Message, decodeMessage, encodeMessage } from '../../../core/bgp/message.js'
import { CeaseError, ErrorCode, describeNotification, notification } from '../../../core/bgp/notification.js'
import { updateArb } from './arbitraries.js'

const O = { fourOctetAs: true }

const roundTrip = (m: Message): unknown => {
  const framed = splitMessages(encodeMessage(m, O))
  const raw = framed.messages[0]
  return framed.messages.length === 1 && framed.rest.length === 0 && raw !== undefined ? decodeMessage(raw, O) : undefined
}

t.test('every kind of message survives framing and decoding', async (t) => {
  const cease = notification(ErrorCode.Cease, CeaseError.AdministrativeShutdown, new TextEncoder().encode('rolling update'))
  const cases: Message[] = [
    { _tag: 'Keepalive' },
    { _tag: 'Notification', notification: cease },
    { _tag: 'RouteRefresh', afi: 2, safi: 1 },
    { _tag: 'Open', open: { asn: 64512, holdTimeSeconds: 90, routerId: 0xc0000201, capabilities: [{ _tag: 'RouteRefresh' }] } },
  ]
  for (const m of cases) t.same(roundTrip(m), E.right(m), m._tag)
  t.equal(describeNotification(cease), 'Cease / Administrative Shutdown (code 6, subcode 2)')
  t.equal(describeNotification(notification(9, 9)), 'Unknown error (code 9, subcode 9)')
})

t.test('property: updates survive framing and decoding', async (t) => {
  fc.assert(
    fc.property(updateArb(true), (update) => {
      let bytes: Uint8Array
      try {
        bytes = encodeMessage({ _tag: 'Update', update }, O)
      } catch {
        return true // more than one message holds; the session splits such updates
      }
      const framed = splitMessages(bytes)
      const raw = framed.messages[0]
      const back = raw === undefined ? undefined : decodeMessage(raw, O)
      return back !== undefined && E.isRight(back) && back.right._tag === 'Update' && back.right.update.nlri.length === update.nlri.length && back.right.update.attributeErrors.length === 0
    }),
    { numRuns: 300 },
  )
  t.pass('held')
})
