// A few real detectors on 127.0.0.1 (distinct kernel-chosen ports), each recording when its live
// set changed. Specs stop every cluster in a finally block, also on failure.
import { performance } from 'node:perf_hooks'
import { type MembershipHandle, startMembership } from '../../../../shell/membership/membership.js'
import type { MemberSpec, MembershipEvent } from '../../../../shell/membership/options.js'
import type { MembershipConfig } from '../../../../core/membership/config.js'

export interface Node {
  readonly name: string
  readonly handle: MembershipHandle
  /** [performance.now(), live set] at each change. */
  readonly history: Array<readonly [number, ReadonlySet<string>]>
  readonly events: MembershipEvent[]
}

export const KEY = Buffer.from('0123456789abcdef0123456789abcdef')

export interface ClusterOptions {
  readonly n: number
  readonly threadFor: (i: number) => 'main' | 'worker'
  readonly keyFor?: (i: number) => Buffer
  /** Every member's detector config (default: the core's). */
  readonly config?: Partial<MembershipConfig>
}

export const startCluster = async (o: ClusterOptions): Promise<readonly Node[]> => {
  // In parallel: a worker takes seconds to start under the specs' TypeScript loader.
  const started = await Promise.allSettled(
    Array.from({ length: o.n }, async (_, i): Promise<Node> => {
      const name = `node-${i}`
      const history: Array<readonly [number, ReadonlySet<string>]> = []
      const events: MembershipEvent[] = []
      const handle = await startMembership({
        self: name,
        bindAddress: '127.0.0.1',
        port: 0,
        key: o.keyFor?.(i) ?? KEY,
        members: [],
        thread: o.threadFor(i),
        ...(o.config === undefined ? {} : { config: o.config }),
        onChange: (alive) => history.push([performance.now(), alive]),
        onEvent: (e) => events.push(e),
      })
      return { name, handle, history, events }
    }),
  )
  const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed !== undefined) {
    await stopAll(nodes)
    throw failed.reason
  }
  const universe: MemberSpec[] = nodes.map((x) => ({ name: x.name, host: '127.0.0.1', port: x.handle.port }))
  for (const x of nodes) x.handle.setMembers(universe)
  return nodes
}

export const stopAll = async (nodes: readonly Node[]): Promise<void> => {
  await Promise.allSettled(nodes.map((x) => x.handle.stop()))
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls (bounded) until `cond` holds; returns the time it first held, or undefined. */
export const waitFor = async (cond: () => boolean, timeoutMs: number, everyMs = 5): Promise<number | undefined> => {
  const end = performance.now() + timeoutMs
  while (performance.now() < end) {
    if (cond()) return performance.now()
    await sleep(everyMs)
  }
  return cond() ? performance.now() : undefined
}

/** When `observer` first reported a live set without `gone`, after `since`. */
export const lostAt = (observer: Node, gone: string, since: number): number | undefined =>
  observer.history.find(([at, alive]) => at >= since && !alive.has(gone))?.[0]
