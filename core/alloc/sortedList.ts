// Two operations on lists kept in order, for phase 2's processing list: where an element goes, and
// merging two ordered lists. Plain functions over arrays; the comparator defines the order.

/** Index of the first element not before `x` (where `x` would be inserted). */
export const insertionPoint = <T>(list: readonly T[], x: T, cmp: (a: T, b: T) => number): number => {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    const m = list[mid]
    if (m !== undefined && cmp(m, x) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Both lists merged in order; on ties the element of `a` comes first. */
export const mergeOrdered = <T>(a: readonly T[], b: readonly T[], cmp: (x: T, y: T) => number): T[] => {
  if (b.length === 0) return [...a]
  const out: T[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const x = a[i]
    const y = b[j]
    if (y === undefined || (x !== undefined && cmp(x, y) <= 0)) {
      if (x !== undefined) out.push(x)
      i++
    } else {
      out.push(y)
      j++
    }
  }
  return out
}
