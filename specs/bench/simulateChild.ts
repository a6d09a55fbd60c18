// One `ironlb simulate --output json FILE` run in a process of its own, so that its peak RSS is its
// own: prints {"ms", "cpuMs", "maxRssKiB", "code", "outBytes", "err"} as one JSON line (CPU time too: on a
// shared machine wall time says as much about the neighbours as about the run). Used by simulate.bench.ts.
import { runSimulate } from '../../shell/cli/simulateCommand.js'

const main = async (): Promise<void> => {
  const file = process.argv[2]
  if (file === undefined) throw new Error('usage: simulateChild.js FILE')
  let outBytes = 0
  let err = ''
  const started = process.hrtime.bigint()
  const cpuBefore = process.cpuUsage()
  const code = await runSimulate(['--output', 'json', file], { out: (s) => (outBytes += s.length), err: (s) => (err += s) })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const cpu = process.cpuUsage(cpuBefore)
  const cpuMs = (cpu.user + cpu.system) / 1000
  process.stdout.write(`${JSON.stringify({ ms, cpuMs, maxRssKiB: process.resourceUsage().maxRSS, code, outBytes, err: err.slice(0, 500) })}\n`)
}

main().catch((e: unknown) => {
  console.error(e)
  process.exitCode = 1
})
