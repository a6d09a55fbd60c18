// Asks the LAN who has a Service IP every 20 ms from the client namespace (arping) while tcpdump there
// records every ARP request and reply with its time: whether some speaker answered ARP at every moment
// of a rollout, which the HTTP prober cannot tell (the client's neighbour entry, kept fresh by its own
// TCP traffic, needs no answer while the node it points to still forwards). Stopped, it reports the
// requests sent, the longest time between two replies, and each change of the replying MAC.
import { spawn } from 'node:child_process'
import { sleep } from '../../../../shell/testbed/sys.js'

export interface ArpReport {
  readonly requests: number
  readonly replies: number
  /** The longest time between two replies (or from the first request to the first reply). */
  readonly longestSilenceMs: number
  /** Each MAC that replied, in order, with the time (UTC) its run of replies began. */
  readonly owners: readonly string[]
  /** Requests answered by two MACs (two speakers announcing the IP at once). */
  readonly doubleAnswers: number
}

interface Frame {
  readonly at: number
  readonly mac?: string
}

const parseArp = (dump: string, ip: string): { requests: Frame[]; replies: Frame[] } => {
  const requests: Frame[] = []
  const replies: Frame[] = []
  for (const line of dump.split('\n')) {
    const at = Number(line.split(' ')[0]) * 1000
    // The client's requests, not a speaker's gratuitous ones (`tell` the IP itself).
    if (line.includes(`Request who-has ${ip} tell`) && !line.includes(`tell ${ip},`)) requests.push({ at })
    const reply = new RegExp(`Reply ${ip.replace(/\./g, '\\.')} is-at ([0-9a-f:]{17})`).exec(line)
    if (reply?.[1] !== undefined) replies.push({ at, mac: reply[1] })
  }
  return { requests, replies }
}

const time = (ms: number): string => new Date(ms).toISOString().slice(11, 23)

export const arpReport = (dump: string, ip: string): ArpReport => {
  const { requests, replies } = parseArp(dump, ip)
  let longest = 0
  let last = requests[0]?.at
  const owners: string[] = []
  let doubleAnswers = 0
  for (const [i, r] of replies.entries()) {
    if (last !== undefined) longest = Math.max(longest, r.at - last)
    last = r.at
    const prev = replies[i - 1]
    if (prev?.mac !== r.mac) owners.push(`${time(r.at)} ${r.mac ?? ''}`)
    // Two MACs within 10 ms: both answered the same request (requests are 20 ms apart).
    if (prev !== undefined && prev.mac !== r.mac && r.at - prev.at < 10) doubleAnswers++
  }
  const end = requests.at(-1)?.at
  if (end !== undefined && last !== undefined && end > last) longest = Math.max(longest, end - last)
  return { requests: requests.length, replies: replies.length, longestSilenceMs: Math.round(longest), owners, doubleAnswers }
}

export interface ArpProber {
  readonly stop: () => Promise<ArpReport>
}

export const startArpProber = (clientNs: string, ip: string, maxSeconds: number, onTeardown: (kill: () => void) => void): ArpProber => {
  const capture = spawn('ip', ['netns', 'exec', clientNs, 'tcpdump', '-l', '-n', '-e', '-tt', '-i', 'eth0', 'arp'], { stdio: ['ignore', 'pipe', 'ignore'] })
  const asking = spawn('ip', ['netns', 'exec', clientNs, 'arping', '-q', '-W', '0.02', '-w', String(maxSeconds), '-i', 'eth0', ip], { stdio: 'ignore' })
  let dump = ''
  capture.stdout.on('data', (d: Buffer) => (dump += d.toString()))
  const captured = new Promise<void>((r) => capture.once('exit', () => r()))
  onTeardown(() => {
    asking.kill('SIGKILL')
    capture.kill('SIGKILL')
  })
  return {
    stop: async () => {
      asking.kill('SIGINT')
      await sleep(300) // the last replies
      capture.kill('SIGINT')
      await Promise.race([captured, new Promise((r) => setTimeout(r, 5_000).unref())])
      return arpReport(dump, ip)
    },
  }
}
