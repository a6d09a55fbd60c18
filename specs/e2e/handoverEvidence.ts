// What the rolling update prints when a request fails, all on the epoch clock: the client's frames
// (tcpdump in its namespace: each connection's segments with the MAC they went to or came from, and
// the ARP/NDP frames), and the speakers' log events. A failed request's segments tell the causes
// apart: a GET acknowledged by a node that never answers (a slow backend), a GET never acknowledged
// (a frame lost or dropped), a segment reset by the node the client's entry switched to (a move).
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { hostOfMac, type Sample } from '../../shell/lab/demo.js'
import type { Lab } from '../../shell/lab/lab.js'
import { inNs } from '../../shell/testbed/sys.js'
import { logLinesSince, logSize, speakerLog } from './fixture.js'

export interface ClientCapture {
  /** Stops tcpdump (bounded: it also stops itself after `maxSeconds`) and returns its lines. */
  readonly stop: () => Promise<readonly string[]>
}

/** Every TCP segment to or from port 80, and every ARP and ICMPv6 frame, on the client's eth0. */
export const startClientCapture = (lab: Lab, maxSeconds: number): ClientCapture => {
  const argv = inNs(lab.namespace('client'), ['timeout', String(maxSeconds), 'tcpdump', '-l', '-n', '-e', '-tt', '-B', '8192', '-i', 'eth0', 'tcp port 80 or arp or icmp6'])
  const child = spawn(argv[0] ?? 'ip', argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l))
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-500)))
  const closed = new Promise<void>((r) => child.once('close', () => r()))
  return {
    stop: async () => {
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000)
      await closed
      clearTimeout(killer)
      // tcpdump's own summary (packets dropped by the kernel) says whether the capture is whole.
      return [...lines, ...stderr.split('\n').filter((l) => l.includes('dropped'))]
    },
  }
}

const msOf = (line: string): number => Math.round(Number(line.slice(0, line.indexOf(' '))) * 1000)
const escaped = (s: string): string => s.replace(/[.:]/g, (c) => `\\${c}`)

/** A frame line with the lab's MACs replaced by host names and its time relative to `t0`. */
const shown = (lab: Lab, line: string, t0: number): string =>
  `+${msOf(line) - t0} ms ${line.slice(line.indexOf(' ') + 1).replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, (m) => hostOfMac(lab, m)).slice(0, 160)}`

/** The segments of the connection a request opened: the first SYN to its IP sent at or after the request. */
export const connectionOf = (lab: Lab, frames: readonly string[], s: Sample): string[] => {
  const syn = new RegExp(`\\.(\\d+) > ${escaped(s.ip)}\\.80: Flags \\[S\\]`)
  const first = frames.find((l) => msOf(l) >= s.t - 1 && syn.test(l))
  const port = first === undefined ? undefined : syn.exec(first)?.[1]
  if (port === undefined) return [`no SYN to ${s.ip} seen at or after ${s.t}`]
  const mine = frames.filter((l) => l.includes(`.${port} > ${s.ip}.80:`) || (l.includes(`${s.ip}.80 > `) && l.includes(`.${port}: `)))
  return mine.map((l) => shown(lab, l, s.t))
}

/** ARP and NDP frames about `ip` within the window around `t`. */
export const neighbourFrames = (lab: Lab, frames: readonly string[], ip: string, t: number, beforeMs: number, afterMs: number): string[] =>
  frames
    .filter((l) => msOf(l) >= t - beforeMs && msOf(l) <= t + afterMs && (l.includes('ARP') || l.includes('ICMP6')) && l.includes(ip))
    .map((l) => shown(lab, l, t))

const TIMELINE = new Set(['speaker-stopping', 'speaker-starting', 'speaker-started', 'membership-started', 'membership-left', 'members-returned', 'announcing', 'stopped-announcing'])

export interface SpeakerEvent {
  readonly at: number
  readonly node: string
  readonly text: string
}

/** Log offsets now, and later the events each speaker logged since: the handover's steps, on one clock. */
export const speakerEvents = (lab: Lab, about: string): (() => SpeakerEvent[]) => {
  const from = new Map(lab.nodes.map((n) => [n, logSize(speakerLog(lab, n))]))
  return () =>
    lab.nodes
      .flatMap((node) =>
        logLinesSince(speakerLog(lab, node), from.get(node) ?? 0)
          .filter((l) => TIMELINE.has(String(l['event'])) || (l['event'] === 'member-changed' && l['member'] === about))
          .map((l) => ({
            at: Date.parse(String(l['ts'])),
            node,
            text: `${String(l['event'])}${l['member'] === undefined ? '' : ` ${String(l['member'])} ${String(l['status'])}`}${l['signal'] === undefined ? '' : ` ${String(l['signal'])}`}`,
          })),
      )
      .sort((a, b) => a.at - b.at)
}
