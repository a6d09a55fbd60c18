// Events off the write path: a writer hands its Events here and goes on; a few posters send them to
// the API server behind it. Before, each Service write waited for its Event's POST, and at thousands
// of Services the controller wrote about 11 a second (README, BGP bench rows). Bounded: an Event for
// an object and reason already waiting replaces the waiting one (the latest message wins), and when
// `capacity` are waiting a new one is dropped and counted, never queued without end.
import type { EventRecorder } from './events.js'

type EventArgs = Parameters<EventRecorder['record']>

interface EventQueueOptions {
  /** Most Events waiting to be posted. */
  readonly capacity: number
  /** Most POSTs in flight. */
  readonly posters: number
  /** Called once per Event dropped because the queue was full. */
  readonly onDrop: (reason: string) => void
}

export interface EventQueue {
  /** Queues an Event; returns at once. */
  readonly enqueue: (...args: EventArgs) => void
  /** Resolves once nothing waits or is in flight, or after `boundMs` (a stopping process). */
  readonly drain: (boundMs: number) => Promise<void>
  readonly waiting: () => number
}

const keyOf = ([target, , reason]: EventArgs): string => `${target.kind}\u0000${target.namespace}\u0000${target.name}\u0000${reason}`

export const eventQueue = (recorder: EventRecorder, opts: EventQueueOptions): EventQueue => {
  // Insertion order is posting order; a replaced Event keeps its place.
  const waiting = new Map<string, EventArgs>()
  let inFlight = 0
  let idle: (() => void)[] = []

  const settle = (): void => {
    if (waiting.size > 0 || inFlight > 0) return
    const resolve = idle
    idle = []
    for (const r of resolve) r()
  }

  const pump = (): void => {
    while (inFlight < opts.posters && waiting.size > 0) {
      const [key, args] = waiting.entries().next().value as [string, EventArgs]
      waiting.delete(key)
      inFlight++
      // record() logs its own failures and never rejects; the finally keeps the count right regardless.
      void recorder.record(...args).finally(() => {
        inFlight--
        pump()
        settle()
      })
    }
  }

  return {
    enqueue: (...args) => {
      const key = keyOf(args)
      if (!waiting.has(key) && waiting.size >= opts.capacity) {
        opts.onDrop(args[2])
        return
      }
      waiting.set(key, args)
      pump()
    },
    drain: (boundMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, boundMs)
        idle.push(() => {
          clearTimeout(timer)
          resolve()
        })
        settle()
      }),
    waiting: () => waiting.size,
  }
}
