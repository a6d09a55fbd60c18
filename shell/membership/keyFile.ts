// The membership key as the kubelet mounts it: a file in the Secret's volume. When the Secret
// changes, the kubelet writes the new files into a fresh timestamped folder and swaps the `..data`
// symlink beside them in one rename; the key file is a symlink through `..data`, so its own inode
// never changes and a watch on the file would miss the swap. So the folder is watched, and every
// event in it (debounced) re-reads the file; a slow poll backs the watch up (a watch can be lost,
// e.g. when the folder itself is replaced). Reading errors are reported, never thrown: the speaker
// keeps the key it has.
import { type FSWatcher, readFileSync, watch } from 'node:fs'
import { dirname } from 'node:path'

type KeyRead = { readonly ok: true; readonly key: Uint8Array } | { readonly ok: false; readonly error: string }

/** The file's bytes as they are (the key is the value itself, as in the Secret's `secretkey`). */
export const readKeyFile = (path: string): KeyRead => {
  try {
    return { ok: true, key: readFileSync(path) }
  } catch (err) {
    return { ok: false, error: `cannot read the memberlist key ${path}: ${err instanceof Error ? err.message : String(err)}` }
  }
}

interface KeyFileWatch {
  readonly stop: () => void
}

interface WatchOptions {
  /** Re-read this long after the last event in the folder (the kubelet's swap is several renames). */
  readonly debounceMs?: number
  /** Re-read at least this often, whatever the watch reports. */
  readonly pollMs?: number
}

/**
 * Calls `onRead` with the file's content after anything changed in its folder (and every pollMs);
 * `onError` with a message when the file cannot be read or the folder not watched.
 */
export const watchKeyFile = (path: string, onRead: (key: Uint8Array) => void, onError: (message: string) => void, o: WatchOptions = {}): KeyFileWatch => {
  const debounceMs = o.debounceMs ?? 100
  let stopped = false
  let pending: NodeJS.Timeout | undefined
  let lastError = ''
  const reread = (): void => {
    pending = undefined
    if (stopped) return
    const r = readKeyFile(path)
    if (r.ok) {
      lastError = ''
      onRead(r.key)
    } else if (r.error !== lastError) {
      // Once per distinct failure: a missing file polled every few seconds is one problem.
      lastError = r.error
      onError(r.error)
    }
  }
  const soon = (): void => {
    if (pending !== undefined) clearTimeout(pending)
    pending = setTimeout(reread, debounceMs)
  }
  let watcher: FSWatcher | undefined
  try {
    watcher = watch(dirname(path), { persistent: false }, soon)
    watcher.on('error', (err) => onError(`watching ${dirname(path)} stopped: ${err.message}; polling only`))
  } catch (err) {
    onError(`cannot watch ${dirname(path)}: ${err instanceof Error ? err.message : String(err)}; polling only`)
  }
  const poll = setInterval(reread, o.pollMs ?? 10_000)
  poll.unref()
  return {
    stop: () => {
      stopped = true
      if (pending !== undefined) clearTimeout(pending)
      clearInterval(poll)
      watcher?.close()
    },
  }
}
