// Worker-thread entry: runs the detector on its own event loop and talks to membership.ts by
// messages (a changed live set, events) and through the stats board (statsBoard.ts). A long
// synchronous job or GC pause on the speaker's main thread then delays neither our Acks nor our
// timers, so it cannot make this node look dead to its peers. At idle nothing wakes the main thread.
import { performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import { absurd } from '../../core/fp/absurd.js'
import type { Member } from '../../core/membership/member.js'
import { type DetectorOptions, runDetector } from './detector.js'
import type { MembershipEvent } from './options.js'
import { writeStats } from './statsBoard.js'

export interface WorkerInit {
  readonly options: DetectorOptions
  readonly events: boolean
  /** statsBoard.ts: written here, read by the main thread. */
  readonly board: SharedArrayBuffer
}

export type ToWorker = { readonly op: 'setMembers'; readonly members: readonly Member[] } | { readonly op: 'leave' } | { readonly op: 'stop' }

export type FromWorker =
  | { readonly op: 'ready'; readonly port: number }
  | { readonly op: 'alive'; readonly names: readonly string[] }
  | { readonly op: 'event'; readonly event: MembershipEvent }
  | { readonly op: 'done' }

/** The stats board is at most this old while datagrams or Ticks come (at least one per probe period). */
const PUBLISH_MS = 100

const main = async (): Promise<void> => {
  const port = parentPort
  if (port === null) throw new Error('membership worker: no parent port')
  const init = workerData as WorkerInit
  const post = (m: FromWorker): void => port.postMessage(m)
  let publish = (): void => undefined
  let publishedAt = -Infinity
  const det = await runDetector(init.options, {
    onChange: (alive) => post({ op: 'alive', names: [...alive] }),
    ...(init.events ? { onEvent: (event: MembershipEvent) => post({ op: 'event', event }) } : {}),
    // Building the stats costs more than the datagram's own handling: at most every PUBLISH_MS.
    afterEach: () => {
      if (performance.now() - publishedAt >= PUBLISH_MS) publish()
    },
  })
  publish = () => {
    publishedAt = performance.now()
    writeStats(init.board, det.stats())
  }
  const finish = (): void => {
    publish()
    post({ op: 'done' })
    port.close()
  }
  port.on('message', (m: ToWorker) => {
    switch (m.op) {
      case 'setMembers':
        det.setMembers(m.members)
        return
      case 'leave':
        void det.leave().then(finish)
        return
      case 'stop':
        void det.stop().then(finish)
        return
      default:
        return absurd(m)
    }
  })
  publish()
  post({ op: 'ready', port: det.port })
}

void main()
