// A client that asks a Service IP for `/` every 20 ms from the client namespace, each request on a new
// connection (so every one goes through ARP resolution and the node's DNAT anew), with a 1 s timeout, for
// at most `maxSeconds`; stopped, it reports how many were sent and answered, and the longest run of failures.
import { spawn } from 'node:child_process'

export interface ProbeReport {
  readonly sent: number
  readonly ok: number
  readonly failed: number
  /** From the first failed request's start to the next answered request's start, the longest such run. */
  readonly longestOutageMs: number
  readonly errors: Readonly<Record<string, number>>
  /** The first 20 runs of failures: start time of day (UTC) + milliseconds until an answer. */
  readonly runs: readonly string[]
}

// Runs inside the client namespace as its own node process: the spec's event loop stays out of the timing.
const script = `
const http = require('http')
const [ip, maxSeconds] = process.argv.slice(1)
const results = [] // [start ms, error or ''], in the order sent
const tick = setInterval(() => {
  const row = [Date.now(), 'pending']
  results.push(row)
  const req = http.get({ host: ip, port: 80, path: '/', agent: false, timeout: 1000 }, (res) => {
    res.resume()
    res.on('end', () => (row[1] = res.statusCode === 200 ? '' : 'status ' + res.statusCode))
  })
  req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })))
  req.on('error', (e) => (row[1] = e.code ?? e.message))
}, 20)
const report = () => {
  const r = { sent: results.length, ok: 0, failed: 0, longestOutageMs: 0, errors: {}, runs: [] }
  let since
  for (const [start, err] of results) {
    if (err === '') {
      r.ok++
      if (since !== undefined) {
        r.longestOutageMs = Math.max(r.longestOutageMs, start - since)
        if (r.runs.length < 20) r.runs.push(new Date(since).toISOString().slice(11, 23) + '+' + (start - since))
      }
      since = undefined
    } else {
      r.failed++
      r.errors[err] = (r.errors[err] ?? 0) + 1
      since ??= start
    }
  }
  return r
}
const finish = () => { clearInterval(tick); setTimeout(() => { process.stdout.write(JSON.stringify(report())); process.exit(0) }, 1100) }
process.on('SIGTERM', finish)
setTimeout(finish, Number(maxSeconds) * 1000)
`

export interface Prober {
  readonly stop: () => Promise<ProbeReport>
}

export const startProber = (clientNs: string, ip: string, maxSeconds: number, onTeardown: (kill: () => void) => void): Prober => {
  const child = spawn('ip', ['netns', 'exec', clientNs, process.execPath, '-e', script, ip, String(maxSeconds)], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  onTeardown(() => child.kill('SIGKILL'))
  return {
    stop: async () => {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000).unref())])
      return JSON.parse(out === '' ? '{"sent":0,"ok":0,"failed":0,"longestOutageMs":0,"errors":{"no report":1},"runs":[]}' : out) as ProbeReport
    },
  }
}
