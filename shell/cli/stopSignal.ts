// The daemons' stop signals, caught from the first moment of the command. In its container a daemon
// is PID 1, and the kernel drops a signal to PID 1 that has no handler. The handlers used to be
// installed only once the daemon had started: a SIGTERM that came while it was still loading its
// modules (seconds on a busy node) was lost, the speaker then joined and announced, and the kubelet
// SIGKILLed it at the end of the grace period, with no leave (seen in the lab cluster's rollouts,
// specs/deploy/cluster/lifecycle.cluster.ts); a controller so killed keeps its Lease until it expires.
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']

export interface StopSignal {
  /** The first stop signal so far, if any. */
  readonly received: () => NodeJS.Signals | undefined
  /** Resolves with the first stop signal (at once if one came already). */
  readonly next: Promise<NodeJS.Signals>
}

export const catchStopSignal = (): StopSignal => {
  let first: NodeJS.Signals | undefined
  let resolve: (s: NodeJS.Signals) => void = () => undefined
  const next = new Promise<NodeJS.Signals>((r) => (resolve = r))
  // `on`, not `once`: a second SIGTERM must find a handler too, or PID 1 would ignore it silently anyway.
  for (const s of STOP_SIGNALS)
    process.on(s, () => {
      first ??= s
      resolve(first)
    })
  return { received: () => first, next }
}
