// Which IronLB the side-by-side benches run beside MetalLB's speakers: the default (the failure detector
// probes every 100 ms on a worker thread: sub-second failover) or the low-cost setting the chart documents
// (deploy/chart/README.md: memberlist.probeInterval "1s", memberlist.thread "main", speaker.nodeOptions),
// which probes at MetalLB's rate and trades V8's optimizing compiler for memory.
import type { LbSystem } from '../support/metallb/labSystems.js'

export type BenchSystem = LbSystem | 'ironlb-low-cost'

export const LOW_COST_SPEAKER_ARGS: readonly string[] = ['--memberlist-probe-interval=1s', '--memberlist-thread=main']
export const LOW_COST_NODE_ARGS: readonly string[] = ['--max-semi-space-size=1', '--v8-pool-size=1', '--single-threaded', '--no-opt']

export const SYSTEM_NAMES: Record<BenchSystem, string> = { metallb: 'MetalLB v0.16.2', ironlb: 'IronLB', 'ironlb-low-cost': 'IronLB low-cost' }

/** The systems named among `argv`'s words (not flags), in order; all three when none is. */
export const systemsOf = (argv: readonly string[]): BenchSystem[] => {
  const wanted = argv.filter((a) => !a.startsWith('--'))
  return (wanted.length === 0 ? ['metallb', 'ironlb', 'ironlb-low-cost'] : wanted).map((s): BenchSystem => {
    if (s !== 'metallb' && s !== 'ironlb' && s !== 'ironlb-low-cost') throw new Error(`"${s}": want metallb, ironlb or ironlb-low-cost`)
    return s
  })
}

/** The lab's system for a bench system: both IronLB settings run IronLB's binaries. */
export const labSystemOf = (s: BenchSystem): LbSystem => (s === 'metallb' ? 'metallb' : 'ironlb')

/**
 * The speakers' flags (undefined: the lab's default, $IRONLB_LAB_SPEAKER_ARGS) and Node flags for `s`;
 * `--ironlb-node` flags given on the command line apply to the default IronLB only.
 */
export const speakerFlagsOf = (s: BenchSystem, ironlbNodeArgs: readonly string[]): { readonly speakerArgs?: readonly string[]; readonly nodeArgs: readonly string[] } =>
  s === 'ironlb-low-cost' ? { speakerArgs: LOW_COST_SPEAKER_ARGS, nodeArgs: LOW_COST_NODE_ARGS } : { nodeArgs: s === 'ironlb' ? ironlbNodeArgs : [] }

/** How a row names the setting: nothing for MetalLB and the default, " (IronLB low-cost)" otherwise. */
export const rowTag = (s: BenchSystem): string => (s === 'ironlb-low-cost' ? ' (IronLB low-cost)' : '')

/** The flags `s` ran with, for a table's notes. */
export const flagsNote = (s: BenchSystem, ironlbNodeArgs: readonly string[]): string => {
  const f = speakerFlagsOf(s, ironlbNodeArgs)
  const node = f.nodeArgs.length === 0 ? 'no Node flags' : `Node flags ${f.nodeArgs.join(' ')}`
  return f.speakerArgs === undefined ? node : `${f.speakerArgs.join(' ')}, ${node}`
}
