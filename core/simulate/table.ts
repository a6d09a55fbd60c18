// The human-readable form of a simulation report: aligned columns, like kubectl's tables.
import type { SimulationReport } from './report.js'

const renderColumns = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

const dash = (text: string | null): string => (text === null || text === '' ? '-' : text)

export const renderTable = (r: SimulationReport): string => {
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
  return `${parts.join('\n\n')}\n`
}
