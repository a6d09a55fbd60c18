// The agent of tcpSocket.netns.spec.ts, run inside a lab namespace (the sockets must live there). It
// speaks JSON lines on stdout and takes commands on stdin, like specs/support/netnsResponderMain.ts.
//
//   --mode bgp    --local IP --remote IP --asn N --peer-asn N [--md5-hex H] [--ttl N]
//                 shell/bgp's session dialling through nativeDialer: open, up, down
//   --mode bgp-passive  the same flags: a passive session behind shell/bgp's listener on nativeListen
//   --mode listen --address IP --port P [--md5-peer IP --md5-hex H] [--min-ttl N] [--bgp]
//                 listenTcp: listening, accepted {remote}, and with --bgp the peer's OPEN decoded
//   --mode dial   --remote IP --port P [--bind-device D] [--ttl N] [--wait-ms MS]
//                 one dialTcp: connected {local} or not-connected
//   always        [--max-seconds S]; stdin {"cmd":"set-key","peer":IP,"hex":H|null} (listen), {"cmd":"exit"}
// The test password arrives as hex on the command line; the agent never prints it.
import type { Socket } from 'node:net'
import { createInterface } from 'node:readline'
import * as E from 'fp-ts/lib/Either.js'
import { splitMessages } from '../../../core/bgp/header.js'
import { decodeMessage } from '../../../core/bgp/message.js'
import type { Asn } from '../../../core/model/bgpPeer.js'
import { parseIP } from '../../../core/net/address.js'
import { startBgpListener } from '../../../shell/bgp/listener.js'
import { type PeerSession, startPeerSession } from '../../../shell/bgp/peerSession.js'
import { nativeDialer, nativeListen } from '../../../shell/native/bgpSockets.js'
import { dialTcp, listenTcp, type Md5Key, Md5Password, type TcpListener, type TcpOptions } from '../../../shell/native/tcpSocket.js'
import { jsonLogger } from '../../../shell/obs/log.js'

const opt = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag)
  return i < 0 ? undefined : process.argv[i + 1]
}
const arg = (flag: string): string => {
  const v = opt(flag)
  if (v === undefined) throw new Error(`${flag} is required`)
  return v
}
const num = (flag: string): number | undefined => (opt(flag) === undefined ? undefined : Number(opt(flag)))
const emit = (event: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(event)}\n`)
const password = (hex: string): Md5Password => Md5Password.fromBytes(Buffer.from(hex, 'hex'))

setTimeout(() => {
  emit({ event: 'timeout' })
  process.exit(3)
}, (num('--max-seconds') ?? 60) * 1000).unref()

/** The socket options the flags ask for (one peer's key at most). */
const options = (peer: string | undefined): TcpOptions => {
  const hex = opt('--md5-hex')
  const keys: Md5Key[] = hex === undefined || peer === undefined ? [] : [{ peer, password: password(hex) }]
  const ttl = num('--ttl')
  const minTtl = num('--min-ttl')
  const bindDevice = opt('--bind-device')
  return { family: 4, md5Keys: keys, ...(ttl === undefined ? {} : { ttl }), ...(minTtl === undefined ? {} : { minTtl }), ...(bindDevice === undefined ? {} : { bindDevice }) }
}

/** The session (shell/bgp/peerSession.ts, core/bgp/session.ts) on the addon's sockets (shell/native/bgpSockets.ts). */
const startSession = (dial: boolean): PeerSession => {
  const asn = Number(arg('--asn'))
  const local = arg('--local')
  const routerId = parseIP(local)
  if (E.isLeft(routerId)) throw new Error(routerId.left)
  const hex = opt('--md5-hex')
  const ttl = num('--ttl')
  const session = startPeerSession({
    config: { localAsn: asn, peerAsn: { _tag: 'Fixed', asn: Number(arg('--peer-asn')) as Asn }, routerId: Number(routerId.right.value), holdTimeSeconds: 90, connectRetrySeconds: 2, dial, families: [4] },
    remote: arg('--remote'),
    socket: { localAddress: local, ...(ttl === undefined ? {} : { ttl }), ...(hex === undefined ? {} : { md5Password: Md5Password.fromBytes(Buffer.from(hex, 'hex')) }) },
    dialer: nativeDialer,
    log: jsonLogger('none'),
    onUp: () => emit({ event: 'up', conn: session.connection() }),
    onDown: (reason) => emit({ event: 'down', reason }),
    onMessage: (m) => void (m._tag === 'Open' && emit({ event: 'open', asn: m.open.asn })),
  })
  session.start()
  return session
}

/** A passive session behind shell/bgp's listener on nativeListen, keyed for the router's address. */
const runPassive = (): void => {
  const session = startSession(false)
  const remote = arg('--remote')
  const hex = opt('--md5-hex')
  startBgpListener({
    host: arg('--local'),
    port: 179,
    sessionFor: (peer) => (peer === remote ? session : undefined),
    md5: new Map(hex === undefined ? [] : [[remote, Md5Password.fromBytes(Buffer.from(hex, 'hex'))]]),
    listen: nativeListen,
    log: jsonLogger('none'),
  })
  emit({ event: 'listening' })
}

/** Decodes the first message an accepted BGP peer sends and reports its OPEN. */
const reportOpen = (s: Socket): void => {
  let pending: Uint8Array = new Uint8Array(0)
  s.on('data', (chunk: Buffer) => {
    pending = new Uint8Array([...pending, ...chunk])
    const framed = splitMessages(pending)
    const first = framed.messages[0]
    if (first === undefined) return
    const m = decodeMessage(first, { fourOctetAs: false })
    emit(E.isRight(m) && m.right._tag === 'Open' ? { event: 'open', asn: m.right.open.asn } : { event: 'not-open' })
    s.destroy()
  })
}

const runListen = async (): Promise<TcpListener> => {
  const address = arg('--address')
  const l = await listenTcp({ ...options(opt('--md5-peer')), sourceAddress: address, sourcePort: Number(arg('--port')) }, (s) => {
    s.on('error', () => undefined)
    emit({ event: 'accepted', remote: s.remoteAddress })
    if (process.argv.includes('--bgp')) reportOpen(s)
    else s.destroy()
  })
  emit({ event: 'listening' })
  return l
}

const runDial = (): void => {
  const remote = arg('--remote')
  const s = dialTcp({ ...options(remote), host: remote, port: Number(arg('--port')) })
  s.on('error', (e: NodeJS.ErrnoException) => emit({ event: 'error', code: e.code }))
  s.once('connect', () => {
    emit({ event: 'connected', local: s.localAddress })
    s.destroy()
  })
  setTimeout(() => {
    if (s.connecting) emit({ event: 'not-connected' })
    s.destroy()
  }, num('--wait-ms') ?? 3_000).unref()
}

const mode = arg('--mode')
let listener: TcpListener | undefined
if (mode === 'bgp') startSession(true)
else if (mode === 'bgp-passive') runPassive()
else if (mode === 'listen') listener = await runListen()
else if (mode === 'dial') runDial()
else throw new Error(`--mode ${mode}: bgp, bgp-passive, listen or dial`)

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = JSON.parse(line) as { cmd?: string; peer?: string; hex?: string | null }
  if (cmd.cmd === 'exit') process.exit(0)
  if (cmd.cmd === 'set-key' && listener !== undefined && cmd.peer !== undefined) {
    listener.setMd5Key(cmd.peer, cmd.hex === null || cmd.hex === undefined ? null : password(cmd.hex))
    emit({ event: 'key-set', peer: cmd.peer })
  }
})
