// Worker-thread entry for BFD: the engine (shell/bfd/engine.ts) sends, receives and detects on this
// thread's own event loop, so a long reconcile pass or a GC pause on the speaker's main thread delays
// none of our packets or timers (at 100 ms x 3, a 300 ms pause would make the router declare us Down
// and drop the BGP session). The main thread (shell/bfd/bfd.ts) sends sessions and timers; this thread
// sends back state changes, what to count in metrics, and log records.
import { parentPort } from 'node:worker_threads'
import { absurd } from '../../core/fp/absurd.js'
import type { BfdState } from '../../core/bfd/packet.js'
import type { BFDProfile } from '../../core/model/bfdProfile.js'
import type { Logger } from '../obs/log.js'
import type { BfdPeer } from './bfd.js'
import { startBfdEngine } from './engine.js'
import type { BfdObserver } from './metrics.js'

type Level = 'debug' | 'info' | 'warn' | 'error'
type Fields = Readonly<Record<string, unknown>>

export type ToBfdWorker =
  | { readonly op: 'start'; readonly id: number; readonly peer: BfdPeer; readonly profile: BFDProfile }
  | { readonly op: 'stop'; readonly peer: BfdPeer; readonly silent: boolean; readonly id: number }
  | { readonly op: 'close' }

/** A BfdObserver call, by name. */
export type Observed =
  | { readonly call: 'state'; readonly peer: string; readonly up: boolean }
  | { readonly call: 'sent' | 'received' | 'echoSent' | 'echoReceived' | 'forget'; readonly peer: string }
  | { readonly call: 'discarded'; readonly reason: string }

export type FromBfdWorker =
  | { readonly op: 'started'; readonly id: number; readonly error?: string }
  /** A stop done; `peerDetectionMs`: how long the peer takes to see a silent one Down. */
  | { readonly op: 'stopped'; readonly id: number; readonly peerDetectionMs: number }
  | { readonly op: 'changed'; readonly peer: BfdPeer; readonly from: BfdState; readonly to: BfdState; readonly diag: number }
  | { readonly op: 'observed'; readonly what: Observed }
  | { readonly op: 'log'; readonly level: Level; readonly event: string; readonly fields: Fields }
  | { readonly op: 'closed' }

/** Lets the AdminDown packets the engine's close queued leave before the thread ends (engine closes senders after 100 ms). */
const CLOSE_LINGER_MS = 150

/** Errors do not cross threads whole: their message (and code) do. */
const cloneable = (fields: Fields): Fields =>
  Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? { message: v.message, ...('code' in v ? { code: String(v.code) } : {}) } : v]))

const postingLogger = (post: (m: FromBfdWorker) => void, base: Fields = {}): Logger => {
  const at = (level: Level) => (event: string, fields: Fields = {}) => post({ op: 'log', level, event, fields: cloneable({ ...base, ...fields }) })
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (fields) => postingLogger(post, { ...base, ...fields }) }
}

const postingObserver = (post: (m: FromBfdWorker) => void): BfdObserver => {
  const o = (what: Observed): void => post({ op: 'observed', what })
  return {
    state: (peer, up) => o({ call: 'state', peer, up }),
    sent: (peer) => o({ call: 'sent', peer }),
    received: (peer) => o({ call: 'received', peer }),
    echoSent: (peer) => o({ call: 'echoSent', peer }),
    echoReceived: (peer) => o({ call: 'echoReceived', peer }),
    discarded: (reason) => o({ call: 'discarded', reason }),
    forget: (peer) => o({ call: 'forget', peer }),
  }
}

const main = (): void => {
  const port = parentPort
  if (port === null) throw new Error('bfd worker: no parent port')
  const post = (m: FromBfdWorker): void => port.postMessage(m)
  const engine = startBfdEngine(postingLogger(post), postingObserver(post), (peer, from, to, diag) => post({ op: 'changed', peer, from, to, diag }))
  port.on('message', (m: ToBfdWorker) => {
    switch (m.op) {
      case 'start':
        return void engine.start(m.peer, m.profile).then(
          () => post({ op: 'started', id: m.id }),
          (err: unknown) => post({ op: 'started', id: m.id, error: err instanceof Error ? err.message : String(err) }),
        )
      case 'stop':
        return post({ op: 'stopped', id: m.id, peerDetectionMs: engine.stop(m.peer, m.silent) })
      case 'close':
        engine.close()
        return void setTimeout(() => {
          post({ op: 'closed' })
          port.close()
        }, CLOSE_LINGER_MS)
      default:
        return absurd(m)
    }
  })
}

main()
