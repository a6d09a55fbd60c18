// A tiny ARP/NDP responder built from the packet socket addon and core/packet, run by the netns
// specs inside a lab namespace (`ip netns exec <ns> node ... netnsResponderMain.ts`). It talks
// JSON lines: events on stdout, commands on stdin. It exits by itself when stdin closes or after
// --max-seconds, so an orphan never outlives its spec for long.
//
//   --mode respond  --if <name> --ip <addr>... [--mld]  answer ARP and NDP, count drops by reason
//   --mode inject   --if <name> --frame <hex>... send the frames and exit
//   --mode selftest --if <name>                  open/start/close sockets, report fd counts
import { readdirSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import * as E from 'fp-ts/lib/Either.js'
import { fromHex } from '../../core/crypto/hex.js'
import { formatIP, parseIP, type IP } from '../../core/net/address.js'
import { encodeArpFrame, gratuitousArp } from '../../core/packet/arpFrames.js'
import { respondArp } from '../../core/packet/arpRespond.js'
import { neighborSolicitationFilter } from '../../core/packet/bpf.js'
import { multicastMac, solicitedNode } from '../../core/packet/ndpAddress.js'
import { unsolicitedNeighborAdvertisement } from '../../core/packet/ndpFrames.js'
import { respondNdp } from '../../core/packet/ndpRespond.js'
import { announcedSet, type Verdict } from '../../core/packet/respond.js'
import { ETH_P_ARP, ETH_P_IPV6, openPacketSocket, type PacketSocket, type ReceivedFrame } from '../../shell/native/packetSocket.js'
import { readLink } from '../../shell/l2/links.js'
import { openMulticastGroups } from '../../shell/l2/multicastGroups.js'

const emit = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}

const argValues = (flag: string): string[] => {
  const out: string[] = []
  process.argv.forEach((a, i) => {
    const next = process.argv[i + 1]
    if (a === flag && next !== undefined) out.push(next)
  })
  return out
}

const fail = (message: string): never => {
  emit({ event: 'error', message })
  process.exit(2)
}

const openFds = (): number => readdirSync('/proc/self/fd').length

const main = async (): Promise<void> => {
  const mode = argValues('--mode')[0] ?? 'respond'
  const ifname = argValues('--if')[0] ?? fail('--if is required')
  const maxSeconds = Number(argValues('--max-seconds')[0] ?? '60')
  const deadline = setTimeout(() => {
    emit({ event: 'timeout' })
    process.exit(3)
  }, maxSeconds * 1000)
  deadline.unref()

  const link = readLink(ifname) ?? fail(`no interface ${ifname}`)
  const mac = link.mac ?? fail(`${ifname} has no MAC`)
  const identity = { name: link.name, mac }

  if (mode === 'inject') {
    const sock = openPacketSocket({ ifindex: link.ifindex, protocol: ETH_P_ARP })
    let sent = 0
    for (const hex of argValues('--frame')) {
      const frame = fromHex(hex) ?? fail(`bad hex ${hex}`)
      sock.send(frame)
      sent++
    }
    sock.close()
    emit({ event: 'injected', sent })
    return
  }

  if (mode === 'selftest') {
    const before = openFds()
    for (let i = 0; i < 50; i++) {
      const s = openPacketSocket({ ifindex: link.ifindex, protocol: ETH_P_IPV6, filter: neighborSolicitationFilter })
      if (i % 2 === 0) s.start(() => undefined, () => undefined)
      s.addMembership(multicastMac(solicitedNode(parseOrFail('2001:db8:100::10'))))
      s.close()
      s.close()
    }
    // /proc/net/dev_mcast (per namespace) lists the link-layer multicast addresses of each device.
    const inFilter = (): boolean => readFileSync('/proc/net/dev_mcast', 'utf8').includes('3333ff000077')
    const probeMac = multicastMac(solicitedNode(parseOrFail('2001:db8:100::77')))
    const m = openPacketSocket({ ifindex: link.ifindex, protocol: ETH_P_IPV6 })
    const membership = { before: inFilter(), added: false, dropped: true, closed: true }
    m.addMembership(probeMac)
    membership.added = inFilter()
    m.dropMembership(probeMac)
    membership.dropped = inFilter()
    m.addMembership(probeMac)
    m.close()
    membership.closed = inFilter()

    let closedError = ''
    const s = openPacketSocket({ ifindex: link.ifindex, protocol: ETH_P_ARP })
    s.close()
    try {
      s.send(new Uint8Array(60))
    } catch (e) {
      closedError = (e as Error).message
    }
    // Let libuv run the close callbacks of the stopped poll handles.
    await new Promise((r) => setImmediate(r))
    emit({ event: 'selftest', before, after: openFds(), closedError, fdAfterClose: s.fd(), membership })
    return
  }

  const ips = argValues('--ip').map(parseOrFail)
  const announced = announcedSet(ips)
  const counts: Record<string, number> = {}
  const bump = (key: string): void => {
    counts[key] = (counts[key] ?? 0) + 1
  }

  const arp = openPacketSocket({ ifindex: link.ifindex, protocol: ETH_P_ARP })
  const ndp = openPacketSocket({ ifindex: link.ifindex, protocol: ETH_P_IPV6, filter: neighborSolicitationFilter })
  for (const ip of ips) if (ip.family === 6) ndp.addMembership(multicastMac(solicitedNode(ip)))
  // --mld: also join at the IP layer, so the kernel sends MLD reports for the groups.
  const mld = process.argv.includes('--mld') ? await openMulticastGroups(ifname) : undefined
  for (const ip of ips) if (ip.family === 6) mld?.join(solicitedNode(ip))

  const handle =
    (proto: 'arp' | 'ndp', sock: PacketSocket, decide: (f: Uint8Array) => Verdict<string>) =>
    (r: ReceivedFrame): void => {
      if (r.packetType === 'outgoing') return bump(`${proto}:Outgoing`)
      const v = decide(r.frame)
      if (v._tag === 'Drop') {
        bump(`${proto}:${v.reason}`)
        emit({ event: 'drop', proto, reason: v.reason, packetType: r.packetType })
        return
      }
      sock.send(v.frame)
      bump(`${proto}:Reply`)
      emit({ event: 'reply', proto, ip: formatIP(v.ip), packetType: r.packetType })
    }
  const onError = (e: Error): void => emit({ event: 'error', message: e.message })
  arp.start(handle('arp', arp, (f) => respondArp(f, identity, announced)), onError)
  ndp.start(handle('ndp', ndp, (f) => respondNdp(f, identity, announced)), onError)

  const quit = (): void => {
    arp.close()
    ndp.close()
    void (mld?.close() ?? Promise.resolve()).then(() => {
      emit({ event: 'closed', counts })
      process.exit(0)
    })
  }
  const rl = createInterface({ input: process.stdin })
  rl.on('line', (line) => {
    let cmd: { cmd?: string } = {}
    try {
      cmd = JSON.parse(line) as { cmd?: string }
    } catch {
      return emit({ event: 'error', message: `bad command ${line}` })
    }
    if (cmd.cmd === 'announce') {
      let sent = 0
      for (const ip of ips) {
        const frames = ip.family === 4 ? gratuitousArp(ip, mac).map(encodeArpFrame) : [unsolicitedNeighborAdvertisement(ip, mac)]
        for (const f of frames) sent += arp.send(f) > 0 ? 1 : 0
      }
      emit({ event: 'announced', sent })
    } else if (cmd.cmd === 'stats') emit({ event: 'stats', counts, kernel: { arp: arp.statistics(), ndp: ndp.statistics() } })
    else if (cmd.cmd === 'quit') quit()
  })
  rl.on('close', quit)
  emit({ event: 'ready', mac, ifindex: link.ifindex, pid: process.pid })
}

const parseOrFail = (text: string): IP => {
  const r = parseIP(text)
  return E.isRight(r) ? r.right : fail(r.left)
}

main().catch((e: unknown) => fail(e instanceof Error ? e.stack ?? e.message : String(e)))
