// The human-readable form of a simulation report: aligned columns, like kubectl's tables. Every
// cell is made printable first (printable.ts), so no name from the input can forge a row.
import type { Layer2Simulation } from './layer2.js'
import { printable } from './printable.js'
import { type SimulationReport, byAddress, byText } from './report.js'

const renderColumns = (header: readonly string[], raw: readonly (readonly string[])[]): string => {
  const rows = raw.map((r) => r.map(printable))
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

const dash = (text: string | null): string => (text === null || text === '' ? '-' : text)

/**
 * Every assigned IP under Layer 2: the node announcing it and where, or why nobody does. Left out
 * when there is nothing to say (no IP is a Layer 2 IP, and no node was taken down).
 */
const layer2Section = (r: SimulationReport, l2: Layer2Simulation): string | undefined => {
  const rows = [
    ...r.announcements.flatMap((a) => (a.protocol === 'layer2' ? [{ service: a.service, ip: a.ip, cells: [a.node, a.interfaces.join(','), '-'] }] : [])),
    ...l2.unannounced.map((u) => ({ service: u.service, ip: u.ip, cells: ['-', '-', `${u.reason}: ${u.message}`] })),
  ].sort((a, b) => byText(a.service, b.service) || byAddress(a.ip, b.ip))
  if (rows.length === 0 && l2.down.length === 0) return undefined
  const table = renderColumns(['SERVICE', 'IP', 'L2 NODE', 'INTERFACES', 'WHY NOT ANNOUNCED'], rows.map((x) => [x.service, x.ip, ...x.cells]))
  return l2.down.length === 0 ? table : `NODES DOWN: ${printable(l2.down.join(', '))}\n${table}`
}

/** Every BGP route: which node sends which prefix to which peer. Left out when there is none. */
const bgpSection = (r: SimulationReport): string | undefined => {
  const rows = r.announcements.flatMap((a) =>
    a.protocol === 'bgp' ? [[a.service, a.ip, a.node, a.peer, a.prefix, a.communities.length === 0 ? '-' : a.communities.join(','), a.localPref === null ? '-' : String(a.localPref)]] : [],
  )
  return rows.length === 0 ? undefined : renderColumns(['SERVICE', 'IP', 'BGP NODE', 'PEER', 'PREFIX', 'COMMUNITIES', 'LOCALPREF'], rows)
}

export const renderTable = (r: SimulationReport, l2?: Layer2Simulation): string => {
  const parts: string[] = []
  if (r.errors.length > 0)
    parts.push(
      `CONFIGURATION IS INVALID (${r.errors.length} error${r.errors.length === 1 ? '' : 's'})\n` +
        renderColumns(
          ['KIND', 'NAMESPACE/NAME', 'FIELD', 'PROBLEM'],
          r.errors.map((e) => [e.kind, `${e.namespace}/${e.name}`, e.field, e.message]),
        ),
    )
  parts.push(
    renderColumns(
      ['NAMESPACE', 'NAME', 'STATUS', 'IPS', 'POOL', 'WHY'],
      r.services.map((s) => [
        s.namespace,
        s.name,
        s.status,
        s.ips.length === 0 ? '-' : s.ips.join(','),
        dash(s.pool),
        s.reason === null ? '-' : `${s.reason}: ${dash(s.message)}`,
      ]),
    ),
  )
  parts.push(
    renderColumns(
      ['POOL', 'IPV4 USED', 'IPV4 FREE', 'IPV6 USED', 'IPV6 FREE'],
      r.pools.map((p) => [p.name, String(p.assignedIPv4), String(p.availableIPv4), String(p.assignedIPv6), String(p.availableIPv6)]),
    ),
  )
  const layer2 = l2 === undefined ? undefined : layer2Section(r, l2)
  if (layer2 !== undefined) parts.push(layer2)
  const bgp = bgpSection(r)
  if (bgp !== undefined) parts.push(bgp)
  return `${parts.join('\n\n')}\n`
}
