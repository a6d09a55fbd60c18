// The speaker's API to its failure detector:
//   startMembership(options) -> { port, setMembers, leave, alive, stats, stop }
// The member universe is whatever the speaker last knew (it keeps working while the API server is
// unreachable). By default the detector runs on a worker thread; `thread: 'main'` runs it inline.
import { Worker } from 'node:worker_threads'
import { absurd } from '../../core/fp/absurd.js'
import type { Member } from '../../core/membership/member.js'
import { KEY_MIN_BYTES, refusal } from '../../core/membership/keyRing.js'
import { type DetectorOptions, type MembershipStats, runDetector } from './detector.js'
import { DEFAULT_KEY_GRACE_MS, DEFAULT_PORT, type MemberSpec, type MembershipOptions, toMembers } from './options.js'
import { newStatsBoard, readStats } from './statsBoard.js'
import type { FromWorker, ToWorker, WorkerInit } from './worker.js'

export interface MembershipHandle {
  /** The bound UDP port. */
  readonly port: number
  /** A new universe: the speaker set as last known (newcomers start alive). */
  readonly setMembers: (list: readonly MemberSpec[]) => void
  /** Graceful stop: tell everyone at once so they take over our IPs, then close. */
  readonly leave: () => Promise<void>
  /** The current live set, ourselves included. */
  readonly alive: () => ReadonlySet<string>
  /** Counters (from the worker: at most 100 ms older than its last datagram or Tick, statsBoard.ts). */
  readonly stats: () => MembershipStats
  /** Stop without telling anyone (peers will detect it as a failure). */
  readonly stop: () => Promise<void>
}

const detectorOptions = (o: MembershipOptions): DetectorOptions => {
  const port = o.port ?? DEFAULT_PORT
  const members = toMembers(o.members, port === 0 ? DEFAULT_PORT : port)
  const selfSpec = o.members.find((m) => m.name === o.self)
  const [self] = toMembers([{ name: o.self, host: o.advertiseHost ?? selfSpec?.host ?? o.bindAddress, port: selfSpec?.port ?? (port === 0 ? DEFAULT_PORT : port) }], DEFAULT_PORT)
  if (self === undefined) throw new Error('membership: no self')
  if (refusal(o.key) !== undefined) throw new Error(`membership: key shorter than ${KEY_MIN_BYTES} bytes`)
  if (o.keyGraceMs !== undefined && !(o.keyGraceMs >= 0 && Number.isFinite(o.keyGraceMs))) throw new Error(`membership: keyGraceMs ${o.keyGraceMs} must be a finite number >= 0`)
  return {
    self,
    members,
    bindAddress: o.bindAddress,
    port,
    key: o.key,
    ...(o.keyFile === undefined ? {} : { keyFile: o.keyFile }),
    keyGraceMs: o.keyGraceMs ?? DEFAULT_KEY_GRACE_MS,
    ...(o.keyPollMs === undefined ? {} : { keyPollMs: o.keyPollMs }),
    config: o.config ?? {},
    leaveLingerMs: o.leaveLingerMs ?? 100,
  }
}

export const startMembership = async (o: MembershipOptions): Promise<MembershipHandle> => {
  const options = detectorOptions(o)
  const members = (list: readonly MemberSpec[]): readonly Member[] => toMembers(list, o.port === undefined || o.port === 0 ? DEFAULT_PORT : o.port)
  if (o.thread === 'main') {
    const det = await runDetector(options, { onChange: o.onChange, ...(o.onEvent ? { onEvent: o.onEvent } : {}) })
    return { port: det.port, setMembers: (list) => det.setMembers(members(list)), leave: det.leave, alive: det.alive, stats: det.stats, stop: det.stop }
  }
  return startWorker(o, options, members)
}

const startWorker = (o: MembershipOptions, options: DetectorOptions, members: (l: readonly MemberSpec[]) => readonly Member[]): Promise<MembershipHandle> =>
  new Promise((resolve, reject) => {
    const board = newStatsBoard()
    const init: WorkerInit = { options, events: o.onEvent !== undefined, board }
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: init })
    let alive: ReadonlySet<string> = new Set()
    let ready = false
    let finished: Promise<void> | undefined
    const exited = new Promise<void>((res) => worker.once('exit', () => res()))
    const send = (m: ToWorker): void => worker.postMessage(m)
    const finish = (m: ToWorker): Promise<void> => {
      finished ??= (send(m), exited)
      return finished
    }
    worker.on('error', (err) => {
      if (!ready) return reject(err)
      o.onEvent?.({ event: 'fatal', error: err.message })
    })
    worker.on('message', (m: FromWorker) => {
      switch (m.op) {
        case 'alive':
          alive = new Set(m.names)
          o.onChange(alive)
          return
        case 'done':
          return
        case 'event':
          o.onEvent?.(m.event)
          return
        case 'ready':
          ready = true
          resolve({
            port: m.port,
            setMembers: (list) => send({ op: 'setMembers', members: members(list) }),
            leave: () => finish({ op: 'leave' }),
            alive: () => alive,
            stats: () => readStats(board),
            stop: () => finish({ op: 'stop' }),
          })
          return
        default:
          return absurd(m)
      }
    })
  })
