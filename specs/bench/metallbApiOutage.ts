// The API server stopped 60 s under one system (issue 12, the side-by-side Layer 2 part), on the lab's
// dual-stack Service, the client probing both IPs every 20 ms: the API server stopped; for 20 s nothing else
// (does the announcing node keep answering?); then that node loses power (does another take over with
// nothing to read from the API?); the rest of the 60 s passes, the node healed meanwhile; then the API server
// starts again and ownership must settle (bounded). Every wait is bounded; the API server is started again
// whatever happens.
import { moveAfter, startProbe, type Sample } from '../../shell/lab/demo.js'
import type { Lab } from '../../shell/lab/lab.js'
import { settledOwner } from '../e2e/failoverTrials.js'

const OUTAGE_MS = 60_000
const QUIET_MS = 20_000

export interface OutageFigures {
  /** During the first 20 s: requests sent, unanswered, answered by a node other than the owner, and the longest run of unanswered ones to one IP. */
  readonly quiet: { readonly sent: number; readonly unanswered: number; readonly byOthers: number; readonly longestMissRun: number }
  /** Per IP: the client's silence after the owner lost power with the API server down (Infinity: nobody took over within 15 s), and who took over. */
  readonly failover: readonly { readonly ip: string; readonly silentMs: number; readonly to: string | undefined }[]
  /** The failed node healed with the API server still down: its speaker restarted, or it exited (restarted again once the API is back, as a kubelet would). */
  readonly healed: string
  /** From the API server's start until one node answers steadily and the ServiceL2Status names it (Infinity: not within 90 s). */
  readonly settledMs: number
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const longestMissRun = (samples: readonly Sample[]): number => {
  let longest = 0
  for (const ip of new Set(samples.map((s) => s.ip))) {
    let run = 0
    for (const s of samples.filter((x) => x.ip === ip)) {
      run = s.who === undefined ? run + 1 : 0
      longest = Math.max(longest, run)
    }
  }
  return longest
}

export const apiServerOutage = async (lab: Lab, svc: string, ips: readonly string[]): Promise<OutageFigures> => {
  const probe = await startProbe(lab, ips, { maxSeconds: 300 })
  let apiDown = false
  try {
    const owner = await settledOwner(lab, probe, svc, ips, 60_000)
    const tStop = Date.now()
    apiDown = true
    await lab.apiServer('stop')
    await sleep(QUIET_MS)
    const quietSamples = probe.samples().filter((s) => s.t >= tStop && s.t < Date.now() - 300)
    const quiet = {
      sent: quietSamples.length,
      unanswered: quietSamples.filter((s) => s.who === undefined).length,
      byOthers: quietSamples.filter((s) => s.who !== undefined && s.who !== owner).length,
      longestMissRun: longestMissRun(quietSamples),
    }
    const tFail = Date.now()
    await lab.fail(owner)
    await probe.until(15_000, (s) => ips.every((ip) => moveAfter(s, ip, owner, tFail) !== undefined))
    await sleep(1_000)
    const failover = ips.map((ip) => {
      const m = moveAfter(probe.samples(), ip, owner, tFail)
      return { ip, silentMs: m?.silentMs ?? Infinity, to: m?.to }
    })
    const healed = await lab.heal(owner)
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - tStop)))
    const tStart = Date.now()
    await lab.apiServer('start')
    apiDown = false
    if (healed !== 'restarted') await lab.startSpeaker(owner)
    const settledMs = await settledOwner(lab, probe, svc, ips, 90_000).then(
      () => Date.now() - tStart,
      () => Infinity,
    )
    return { quiet, failover, healed, settledMs }
  } finally {
    if (apiDown) await lab.apiServer('start').catch(() => undefined)
    await probe.stop()
  }
}
