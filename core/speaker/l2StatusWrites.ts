// The ServiceL2Status writes that bring this node's objects to the desired set, each with everything
// its request needs, in the order the speaker always made them: creates, then updates, then deletes.
// Which objects change is l2StatusDiff.ts's decision; this only completes each change with the
// Service it is about.
import { type DesiredL2Status, type L2StatusObject, diffL2Status } from './l2StatusDiff.js'

export type L2StatusWrite =
  | ({ readonly _tag: 'Create' } & DesiredL2Status)
  | ({ readonly _tag: 'Update'; readonly name: string } & DesiredL2Status)
  | { readonly _tag: 'Delete'; readonly name: string }

export const l2StatusWrites = (desired: readonly DesiredL2Status[], existing: readonly L2StatusObject[]): readonly L2StatusWrite[] => {
  const changes = diffL2Status(desired, existing)
  const byName = new Map(existing.map((o) => [o.name, o]))
  const updates = changes.update.flatMap((u): L2StatusWrite[] => {
    const o = byName.get(u.name)
    return o === undefined ? [] : [{ _tag: 'Update', name: u.name, serviceNamespace: o.serviceNamespace, serviceName: o.serviceName, interfaces: u.interfaces }]
  })
  return [
    ...changes.create.map((d): L2StatusWrite => ({ _tag: 'Create', ...d })),
    ...updates,
    ...changes.delete.map((name): L2StatusWrite => ({ _tag: 'Delete', name })),
  ]
}
