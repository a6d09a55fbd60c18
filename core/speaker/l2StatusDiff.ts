// Keeps one ServiceL2Status per Service this node announces, as MetalLB does: what to create, what
// to update (the interfaces changed) and what to delete (ownership moved away, the Service went, or
// a duplicate). Level-based: computed from the desired set and the objects that exist.

export interface L2StatusObject {
  readonly name: string
  readonly serviceNamespace: string
  readonly serviceName: string
  readonly interfaces: readonly string[]
}

export interface DesiredL2Status {
  readonly serviceNamespace: string
  readonly serviceName: string
  /** Sorted interface names. */
  readonly interfaces: readonly string[]
}

interface L2StatusChanges {
  readonly create: readonly DesiredL2Status[]
  readonly update: readonly { readonly name: string; readonly interfaces: readonly string[] }[]
  readonly delete: readonly string[]
}

const keyOf = (o: { readonly serviceNamespace: string; readonly serviceName: string }): string => `${o.serviceNamespace}/${o.serviceName}`
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])

export const diffL2Status = (desired: readonly DesiredL2Status[], existing: readonly L2StatusObject[]): L2StatusChanges => {
  const want = new Map(desired.map((d) => [keyOf(d), d]))
  const kept = new Set<string>()
  const update: { name: string; interfaces: readonly string[] }[] = []
  const remove: string[] = []
  // Oldest name first, so the same object survives whichever duplicates appear.
  for (const obj of [...existing].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const key = keyOf(obj)
    const d = want.get(key)
    if (d === undefined || kept.has(key)) {
      remove.push(obj.name)
      continue
    }
    kept.add(key)
    const sorted = [...obj.interfaces].sort()
    if (!sameList(sorted, d.interfaces)) update.push({ name: obj.name, interfaces: d.interfaces })
  }
  const create = desired.filter((d) => !kept.has(keyOf(d)))
  return { create, update, delete: remove }
}
