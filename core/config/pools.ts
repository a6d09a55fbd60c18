// IPAddressPool objects to core/model/pool.ts, and the one rule that spans pools: no two address
// blocks may share an address, within a pool or across pools. MetalLB (internal/config poolsFor)
// turns every entry into CIDRs and refuses any two that overlap; a range summarises to CIDRs
// covering exactly its addresses, so comparing the ranges themselves gives the same answer without
// enumerating anything.
import * as E from 'fp-ts/lib/Either.js'
import { asPoolName } from '../model/names.js'
import type { Pool, ServiceAllocation } from '../model/pool.js'
import { type AddressRange, parseAddressEntry, rangesOverlap } from '../net/range.js'
import { type Report, byText, reportDuplicates } from './issues.js'
import { IP_ADDRESS_POOL_DEFAULTS, type IPAddressPoolWire } from './ipAddressPoolCodec.js'
import { selectorsFrom } from './selector.js'

/** A parsed `spec.addresses` entry and where it was written. */
interface PoolEntry {
  readonly index: number
  readonly range: AddressRange
}

export interface PoolDraft {
  readonly pool: Pool
  readonly entries: readonly PoolEntry[]
  readonly report: Report
}

const serviceAllocationFrom = (
  wire: NonNullable<IPAddressPoolWire['spec']['serviceAllocation']>,
  report: Report,
): ServiceAllocation => {
  const path = 'spec.serviceAllocation'
  const namespaces = wire.namespaces ?? []
  reportDuplicates(namespaces, `${path}.namespaces`, 'namespace', report)
  return {
    priority: wire.priority ?? IP_ADDRESS_POOL_DEFAULTS.priority,
    namespaces: [...new Set(namespaces)],
    namespaceSelectors: selectorsFrom(wire.namespaceSelectors, `${path}.namespaceSelectors`, report),
    serviceSelectors: selectorsFrom(wire.serviceSelectors, `${path}.serviceSelectors`, report),
  }
}

export const poolFrom = (wire: IPAddressPoolWire, report: Report): PoolDraft => {
  const { spec } = wire
  if (spec.addresses.length === 0) report('spec.addresses', 'a pool needs at least one CIDR or range')
  const entries: PoolEntry[] = []
  spec.addresses.forEach((text, index) => {
    const parsed = parseAddressEntry(text)
    if (E.isLeft(parsed)) report(`spec.addresses[${index}]`, parsed.left)
    else entries.push({ index, range: parsed.right })
  })
  const pool: Pool = {
    name: asPoolName(wire.metadata.name),
    labels: Object.fromEntries(Object.entries(wire.metadata.labels ?? {})),
    ranges: entries.map((e) => e.range),
    autoAssign: spec.autoAssign ?? IP_ADDRESS_POOL_DEFAULTS.autoAssign,
    avoidBuggyIPs: spec.avoidBuggyIPs ?? IP_ADDRESS_POOL_DEFAULTS.avoidBuggyIPs,
    serviceAllocation: spec.serviceAllocation === undefined ? undefined : serviceAllocationFrom(spec.serviceAllocation, report),
  }
  return { pool, entries, report }
}

interface Block {
  readonly draft: PoolDraft
  readonly entry: PoolEntry
}

// The entry written later (pools by name, then position) is the one reported, so the outcome does
// not depend on the order the objects arrived in.
const writtenBefore = (a: Block, b: Block): boolean => {
  const byName = byText(a.draft.pool.name, b.draft.pool.name)
  return byName < 0 || (byName === 0 && a.entry.index < b.entry.index)
}

const compareStart = (a: Block, b: Block): number => {
  const ra = a.entry.range
  const rb = b.entry.range
  return ra.family - rb.family || (ra.first < rb.first ? -1 : ra.first > rb.first ? 1 : 0) || (writtenBefore(a, b) ? -1 : 1)
}

/**
 * Reports every block that overlaps a block before it in address order, naming the other one.
 * A sweep over the blocks sorted by start, so a pool of thousands of entries stays cheap.
 */
export const reportOverlaps = (drafts: readonly PoolDraft[]): void => {
  const blocks: Block[] = drafts.flatMap((draft) => draft.entries.map((entry) => ({ draft, entry })))
  blocks.sort(compareStart)
  let reach: Block | undefined // the block reaching furthest so far in this family
  for (const block of blocks) {
    if (reach !== undefined && rangesOverlap(reach.entry.range, block.entry.range)) {
      const [later, earlier] = writtenBefore(reach, block) ? [block, reach] : [reach, block]
      const where = earlier.draft === later.draft ? 'in this pool' : `in pool "${earlier.draft.pool.name}"`
      later.draft.report(
        `spec.addresses[${later.entry.index}]`,
        `"${later.entry.range.text}" overlaps "${earlier.entry.range.text}" ${where}`,
      )
    }
    if (reach === undefined || reach.entry.range.family !== block.entry.range.family || block.entry.range.last > reach.entry.range.last)
      reach = block
  }
}
