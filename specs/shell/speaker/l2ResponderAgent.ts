// Runs the speaker's real L2 responder (shell/speaker/l2Responder.ts, kernel packet sockets) on one
// interface of a lab namespace, for l2Responder.netns.spec.ts. JSON lines out: `ready`, then one
// event per counter call (`request`, `response`, `gratuitous`, `drop` with its reason). It exits
// when stdin closes or after --max-seconds, so it never outlives its spec for long.
// With --tap it also reads every frame of the interface on an ETH_P_ALL socket and reports how it
// arrived (`seen`: packet type, ifindex, the VLAN ID from PACKET_AUXDATA), which shows what the
// addon passes on for a tagged frame before the kernel strips the tag.
import { createInterface } from 'node:readline'
import * as E from 'fp-ts/lib/Either.js'
import { parseIP } from '../../../core/net/address.js'
import { readLink } from '../../../shell/l2/links.js'
import { openPacketSocket } from '../../../shell/native/packetSocket.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { startL2Responder } from '../../../shell/speaker/l2Responder.js'

const emit = (e: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(e)}\n`)
}
const arg = (flag: string): string | undefined => {
  const i = process.argv.indexOf(flag)
  return i < 0 ? undefined : process.argv[i + 1]
}

const main = async (): Promise<void> => {
  const ifname = arg('--if') ?? 'eth0'
  const deadline = setTimeout(() => {
    emit({ event: 'timeout' })
    process.exit(3)
  }, Number(arg('--max-seconds') ?? '60') * 1000)
  deadline.unref()
  const link = readLink(ifname)
  const parsed = parseIP(arg('--ip') ?? '')
  if (link === undefined || link.mac === undefined || E.isLeft(parsed)) {
    emit({ event: 'error', message: `no usable ${ifname} or bad --ip` })
    process.exit(2)
  }
  const usable = { name: link.name, ifindex: link.ifindex, mac: link.mac, up: link.up, noArp: link.noArp, loopback: link.loopback, master: link.master }
  const responder = startL2Responder(
    {
      request: (ip) => emit({ event: 'request', ip }),
      response: (ip) => emit({ event: 'response', ip }),
      gratuitous: (ip) => emit({ event: 'gratuitous', ip }),
      drop: (protocol, reason) => emit({ event: 'drop', protocol, reason }),
      forget: (ip) => emit({ event: 'forget', ip }),
    },
    silentLogger,
  )
  const ETH_P_ALL = 0x0003
  const tap = process.argv.includes('--tap') ? openPacketSocket({ ifindex: link.ifindex, protocol: ETH_P_ALL }) : undefined
  tap?.start(
    (f) => emit({ event: 'seen', packetType: f.packetType, ifindex: f.ifindex, vlan: f.vlan ?? null, ethertype: ((f.frame[12] ?? 0) << 8) | (f.frame[13] ?? 0) }),
    (err) => emit({ event: 'error', message: err.message }),
  )
  await responder.apply(new Map([[link.name, [parsed.right]]]), new Map([[link.name, usable]]))
  emit({ event: 'ready', ifindex: link.ifindex, mac: link.mac })
  const quit = (): void => {
    tap?.close()
    void responder.close().then(() => process.exit(0))
  }
  createInterface({ input: process.stdin }).on('close', quit)
}

void main()
