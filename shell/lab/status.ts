// What `status` reports, and the text the CLI prints for it. The Lab class (lab.ts) gathers it.
import type { HostKind } from './topology.js'
import type { ProcWanted } from './state.js'

interface ProcStatus {
  readonly name: string
  readonly host: string
  readonly pid: number | undefined
  readonly alive: boolean
  readonly wanted: ProcWanted
  readonly note: string | undefined
  readonly log: string
}

export interface HostStatus {
  readonly name: string
  readonly kind: HostKind
  readonly namespace: string
  readonly exists: boolean
  readonly v4: string
  readonly v6: string
  readonly linkUp: boolean
  readonly lossPct: number
  readonly side: number
}

interface ServiceStatus {
  readonly namespace: string
  readonly name: string
  readonly type: string
  readonly ips: readonly string[]
  readonly trafficPolicy: string
}

export interface LabStatus {
  readonly id: string
  readonly stateDir: string
  readonly apiServerUrl: string
  readonly adminKubeconfig: string
  /** False while `up` runs, or when it was killed part way (then `up` again or `down`). */
  readonly complete: boolean
  readonly hosts: readonly HostStatus[]
  readonly processes: readonly ProcStatus[]
  readonly services: readonly ServiceStatus[] | { readonly error: string }
}

/** The status as the CLI prints it. */
export const statusText = (st: LabStatus): string => {
  const lines = [`lab ${st.id}  state ${st.stateDir}${st.complete ? '' : '  (INCOMPLETE: up is running, or was killed part way; up again or down)'}`, `api server ${st.apiServerUrl} (from lab namespaces; kubeconfig ${st.adminKubeconfig})`, '', 'hosts:']
  for (const h of st.hosts) {
    const flags = [h.exists ? '' : 'MISSING', h.linkUp ? '' : 'LINK DOWN', h.lossPct > 0 ? `loss ${h.lossPct}%` : '', h.side > 0 ? `partition side ${h.side}` : ''].filter((x) => x !== '')
    lines.push(`  ${h.name.padEnd(8)} ${h.kind.padEnd(7)} ${h.v4.padEnd(15)} ${h.v6.padEnd(20)} ${h.namespace}${flags.length > 0 ? `  [${flags.join(', ')}]` : ''}`)
  }
  lines.push('', 'processes:')
  for (const p of st.processes) {
    const state = p.alive ? 'alive' : p.wanted === 'running' ? 'DEAD' : p.wanted === 'unavailable' ? 'not started' : p.wanted
    lines.push(`  ${p.name.padEnd(18)} ${p.host.padEnd(7)} pid ${String(p.pid ?? '-').padEnd(8)} ${state}${p.note === undefined ? '' : `  (${p.note})`}`)
  }
  lines.push('', 'LoadBalancer services:')
  if ('error' in st.services) lines.push(`  (unavailable: ${st.services.error})`)
  else if (st.services.length === 0) lines.push('  (none)')
  else for (const s of st.services) lines.push(`  ${`${s.namespace}/${s.name}`.padEnd(30)} ${(s.ips.length > 0 ? s.ips.join(', ') : '<pending>').padEnd(40)} ${s.trafficPolicy}`)
  return `${lines.join('\n')}\n`
}
