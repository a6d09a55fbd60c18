// The speaker's stop signals, caught from the first moment of the command. In its container the
// speaker is PID 1, and the kernel drops a signal to PID 1 that has no handler. The handlers used
// to be installed only once the speaker had started: a SIGTERM that came while it was still loading
// its modules (seconds on a busy node) was lost, the speaker then joined and announced, and the
// kubelet SIGKILLed it at the end of the grace period, with no leave (seen in the lab cluster's
// rollouts, specs/deploy/cluster/install.cluster.ts).
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']

export const catchStopSignal = (): { readonly received: () => NodeJS.Signals | undefined; readonly next: Promise<NodeJS.Signals> } => {
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
