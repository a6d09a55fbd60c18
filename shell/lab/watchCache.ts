// A list-then-watch cache for the lab's agents, as a real cluster's controllers keep (an informer):
// one LIST, then watches from its resourceVersion that bring only what changed. Before, each agent
// listed every Service on every sync and restarted a bare watch (which replays every object as ADDED)
// every minute: at 10,000 Services the four agents' lists were most of the API server's work.
// Objects are kept projected (`project`), keyed by namespace/name. A 410 Gone, an ERROR event, a
// refused watch or a failed list makes it list again; nothing here gives up until stop().
import { getJson, type KubeTarget, watchOnce } from './kubeHttp.js'
import { sleep } from '../testbed/sys.js'

export interface WatchCache<T> {
  /** False until the first list has arrived. */
  readonly synced: () => boolean
  readonly list: () => T[]
  readonly stop: () => void
}

const rec = (x: unknown): Record<string, unknown> => (typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {})
const keyOf = (raw: unknown): string => {
  const meta = rec(rec(raw)['metadata'])
  return `${String(meta['namespace'] ?? '')}/${String(meta['name'] ?? '')}`
}
const versionOf = (raw: unknown): string | undefined => {
  const v = rec(rec(raw)['metadata'])['resourceVersion']
  return typeof v === 'string' ? v : undefined
}

/** A list can take long at 10,000 objects on a loaded machine. */
const LIST_TIMEOUT_MS = 120_000
const WATCH_SECONDS = 300

export const startWatchCache = <T>(t: KubeTarget, path: string, project: (raw: unknown) => T | undefined, onChange: () => void): WatchCache<T> => {
  const store = new Map<string, T>()
  let version = ''
  let synced = false
  let stopped = false
  const relist = async (): Promise<void> => {
    const body = await getJson(t, path, LIST_TIMEOUT_MS)
    store.clear()
    for (const item of Array.isArray(body['items']) ? body['items'] : []) {
      const p = project(item)
      if (p !== undefined) store.set(keyOf(item), p)
    }
    version = versionOf(body) ?? ''
    synced = true
    onChange()
  }
  const onEvent = (type: string, object: unknown): void => {
    const v = versionOf(object)
    if (type === 'ADDED' || type === 'MODIFIED') {
      const p = project(object)
      if (p === undefined) store.delete(keyOf(object))
      else store.set(keyOf(object), p)
    } else if (type === 'DELETED') store.delete(keyOf(object))
    else if (type !== 'BOOKMARK') {
      version = '' // ERROR (410 Gone among them) or a broken line: list again
      return
    }
    if (v !== undefined) version = v
    if (type !== 'BOOKMARK') onChange()
  }
  void (async () => {
    while (!stopped) {
      const started = Date.now()
      try {
        if (version === '') await relist()
        const end = await watchOnce(t, path, WATCH_SECONDS, onEvent, version)
        if (end === 'refused') version = ''
      } catch {
        version = ''
      }
      // A watch or list that fails at once (API server down) is retried after a pause, not in a tight loop.
      if (!stopped && Date.now() - started < 1_000) await sleep(1_000)
    }
  })()
  return {
    synced: () => synced,
    list: () => [...store.values()],
    stop: () => {
      stopped = true
    },
  }
}
