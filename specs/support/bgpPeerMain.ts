// A minimal BGP speaker built from core/bgp alone, run by the router interop spec inside a lab
// namespace: it dials the router, exchanges OPEN and KEEPALIVE, reports every message it decodes as
// a JSON line, and on command announces, withdraws or ends the session with a NOTIFICATION. No FSM
// beyond that: it exists to show the codec's bytes are what real routers send and accept.
//
//   --local IP --local6 IPv6 --remote IP --asn N --router-id IPv4 --max-seconds S
//   stdin: {"cmd":"announce"} | {"cmd":"withdraw"} | {"cmd":"cease"}
import { connect } from 'node:net'
import { createInterface } from 'node:readline'
import * as E from 'fp-ts/lib/Either.js'
import { splitMessages } from '../../core/bgp/header.js'
import { type Message, decodeMessage, encodeMessage } from '../../core/bgp/message.js'
import { CeaseError, ErrorCode, describeNotification, notification } from '../../core/bgp/notification.js'
import { AFI, SAFI_UNICAST } from '../../core/bgp/open.js'
import type { Update } from '../../core/bgp/update.js'
import { formatIP, parseIP, unsafeIp } from '../../core/net/address.js'
import { formatPrefix, parsePrefix } from '../../core/net/prefix.js'

const arg = (flag: string): string => {
  const i = process.argv.indexOf(flag)
  const v = i < 0 ? undefined : process.argv[i + 1]
  if (v === undefined) throw new Error(`${flag} is required`)
  return v
}
const must = <A>(e: E.Either<string, A>): A => {
  if (E.isLeft(e)) throw new Error(e.left)
  return e.right
}
const emit = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`)

const local = arg('--local')
const asn = Number(arg('--asn'))
const routerId = Number(must(parseIP(arg('--router-id'))).value)
setTimeout(() => {
  emit({ event: 'timeout' })
  process.exit(3)
}, Number(arg('--max-seconds')) * 1000).unref()

// What the spec expects to find in the router's RIB (it names them too).
const V4_ROUTE = '203.0.113.10/32'
const V6_ROUTE = '2001:db8:300::10/128'
const options = { fourOctetAs: true }
const attributes = {
  origin: 'igp' as const,
  asPath: [asn],
  communities: [65000 * 65536 + 100],
  largeCommunities: [{ global: asn, local1: 7, local2: 9 }],
}
const announce: Update[] = [
  { withdrawn: [], attributes: { ...attributes, nextHop: must(parseIP(local)) }, nlri: [must(parsePrefix(V4_ROUTE))], mpUnreach: [] },
  { withdrawn: [], attributes, nlri: [], mpReach: { nextHop: must(parseIP(arg('--local6'))), nlri: [must(parsePrefix(V6_ROUTE))] }, mpUnreach: [] },
]
const withdraw: Update = { withdrawn: [must(parsePrefix(V4_ROUTE))], nlri: [], mpUnreach: [must(parsePrefix(V6_ROUTE))] }

const socket = connect({ host: arg('--remote'), port: 179, localAddress: local })
const send = (m: Message): void => void socket.write(encodeMessage(m, options))
let keepalives: NodeJS.Timeout | undefined

socket.on('connect', () => {
  send({
    _tag: 'Open',
    open: {
      asn,
      holdTimeSeconds: 90,
      routerId,
      capabilities: [
        { _tag: 'Multiprotocol', afi: AFI.IPv4, safi: SAFI_UNICAST },
        { _tag: 'Multiprotocol', afi: AFI.IPv6, safi: SAFI_UNICAST },
        { _tag: 'RouteRefresh' },
        { _tag: 'FourOctetAs', asn },
      ],
    },
  })
  emit({ event: 'connected' })
})

let pending: Uint8Array = new Uint8Array(0)
socket.on('data', (chunk: Buffer) => {
  const framed = splitMessages(new Uint8Array([...pending, ...chunk]))
  pending = framed.rest
  for (const raw of framed.messages) {
    const m = decodeMessage(raw, options)
    if (E.isLeft(m)) {
      emit({ event: 'decode-error', type: raw.type, error: describeNotification(m.left) })
      continue
    }
    const msg = m.right
    switch (msg._tag) {
      case 'Open':
        emit({ event: 'open', asn: msg.open.asn, holdTimeSeconds: msg.open.holdTimeSeconds, routerId: formatIP(unsafeIp(4, BigInt(msg.open.routerId))), capabilities: msg.open.capabilities.map((c) => (c._tag === 'Multiprotocol' ? `Multiprotocol ${c.afi}/${c.safi}` : c._tag === 'Unknown' ? `Unknown ${c.code}` : c._tag)) })
        send({ _tag: 'Keepalive' })
        keepalives = setInterval(() => send({ _tag: 'Keepalive' }), 10_000)
        break
      case 'Keepalive':
        emit({ event: 'keepalive' })
        break
      case 'Update': {
        const u = msg.update
        emit({
          event: 'update',
          nlri: u.nlri.map(formatPrefix),
          withdrawn: u.withdrawn.map(formatPrefix),
          mpReach: u.mpReach?.nlri.map(formatPrefix) ?? [],
          mpUnreach: u.mpUnreach.map(formatPrefix),
          asPath: u.attributes?.asPath ?? null,
          nextHop: u.attributes?.nextHop === undefined ? null : formatIP(u.attributes.nextHop),
          attributeErrors: u.attributeErrors.map(describeNotification),
        })
        break
      }
      case 'Notification':
        emit({ event: 'notification', text: describeNotification(msg.notification) })
        break
      case 'RouteRefresh':
        emit({ event: 'route-refresh', afi: msg.afi, safi: msg.safi })
        break
    }
  }
  if (framed.error !== undefined) emit({ event: 'framing-error', error: describeNotification(framed.error) })
})
socket.on('error', (e) => emit({ event: 'socket-error', message: e.message }))
socket.on('close', () => {
  if (keepalives !== undefined) clearInterval(keepalives)
  emit({ event: 'closed' })
  process.exit(0)
})

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = (JSON.parse(line) as { cmd?: string }).cmd
  if (cmd === 'announce') for (const update of announce) send({ _tag: 'Update', update })
  else if (cmd === 'withdraw') send({ _tag: 'Update', update: withdraw })
  else if (cmd === 'cease') {
    send({ _tag: 'Notification', notification: notification(ErrorCode.Cease, CeaseError.AdministrativeShutdown) })
    socket.end()
  }
  emit({ event: 'sent', cmd })
})
