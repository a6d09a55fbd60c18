// The kubelet sets six machine-wide kernel tunables to its own values when they differ (vm.overcommit_memory
// 1, kernel.panic 10, kernel.panic_on_oops 1, ...: kubelet's setupKernelTunables; protectKernelDefaults only
// turns the difference into a fatal error). They are not namespaced: a lab node's kubelet would change the
// shared machine (this one boots with panic=1; a kubelet left it at 10 and panic_on_oops at 1). So in the
// node's own mount namespace, where its kubelet runs, each of those /proc/sys files is covered by a file
// holding the kubelet's value: it reads what it wants and writes nothing. The machine's files stay as they are.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run } from '../../../../shell/testbed/sys.js'

/** The kubelet's wanted value of each tunable it manages, by /proc/sys path (k8s.io/component-helpers sysctl). */
const KUBELET_TUNABLES: Readonly<Record<string, number>> = {
  'vm/overcommit_memory': 1,
  'vm/panic_on_oom': 0,
  'kernel/panic': 10,
  'kernel/panic_on_oops': 1,
  'kernel/keys/root_maxkeys': 1_000_000,
  'kernel/keys/root_maxbytes': 25_000_000,
}

/** Covers each tunable in the mount namespace of `pid` (the node's containerd, which the kubelet joins); files under `dir`. */
export const coverKernelTunables = async (pid: number, dir: string): Promise<void> => {
  for (const [path, value] of Object.entries(KUBELET_TUNABLES)) {
    const file = join(dir, `sysctl-${path.replaceAll('/', '.')}`)
    writeFileSync(file, `${value}\n`)
    const r = await run(['nsenter', '--target', String(pid), '--mount', '--', 'mount', '--bind', file, `/proc/sys/${path}`])
    if (r.code !== 0) throw new Error(`covering /proc/sys/${path} in the node's mount namespace: ${r.stderr.trim()}`)
  }
}

/** The machine's own values of the tunables (this process's mount namespace). */
export const machineTunables = (): Record<string, string> =>
  Object.fromEntries(Object.keys(KUBELET_TUNABLES).map((path) => [path, readFileSync(`/proc/sys/${path}`, 'utf8').trim()]))
