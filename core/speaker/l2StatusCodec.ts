// This node's ServiceL2Status objects, as the caches hold them, decoded at the boundary into the
// diff's plain records (l2StatusDiff.ts; name and Service as statusHeader.ts reads them). Unreadable
// interfaces read as none, and the diff then rewrites them.
import * as t from 'io-ts'
import type { L2StatusObject } from './l2StatusDiff.js'
import { decodeAll, decodeStatusHeader, orUndefined } from './statusHeader.js'

const Interfaces = t.type({ status: t.type({ interfaces: t.UnknownArray }) })
const InterfaceName = t.type({ name: t.string })

export const decodeL2Status = (raw: unknown): L2StatusObject | undefined => {
  const header = decodeStatusHeader(raw)
  if (header === undefined) return undefined
  const listed = orUndefined(Interfaces.decode(raw))?.status.interfaces ?? []
  const interfaces = listed.flatMap((i) => {
    const n = orUndefined(InterfaceName.decode(i))
    return n === undefined ? [] : [n.name]
  })
  return { ...header, interfaces }
}

export const decodeL2Statuses = (objects: readonly unknown[]): readonly L2StatusObject[] => decodeAll(objects, decodeL2Status)
