// A binary min-heap on (time, insertion order), the simulator's event queue. Ties keep insertion
// order, so a run is a deterministic function of its seed.

export interface Timed<A> {
  readonly at: number
  readonly order: number
  readonly item: A
}

export class Heap<A> {
  private readonly xs: Timed<A>[] = []
  private counter = 0

  get size(): number {
    return this.xs.length
  }

  push(at: number, item: A): void {
    const xs = this.xs
    xs.push({ at, order: this.counter++, item })
    let i = xs.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!this.less(i, p)) break
      this.swap(i, p)
      i = p
    }
  }

  peekTime(): number | undefined {
    return this.xs[0]?.at
  }

  pop(): Timed<A> | undefined {
    const xs = this.xs
    const top = xs[0]
    const last = xs.pop()
    if (top === undefined || last === undefined || xs.length === 0) return top
    xs[0] = last
    let i = 0
    for (;;) {
      const l = 2 * i + 1
      const r = l + 1
      let m = i
      if (l < xs.length && this.less(l, m)) m = l
      if (r < xs.length && this.less(r, m)) m = r
      if (m === i) break
      this.swap(i, m)
      i = m
    }
    return top
  }

  private less(a: number, b: number): boolean {
    const x = this.xs[a]
    const y = this.xs[b]
    if (x === undefined || y === undefined) return false
    return x.at < y.at || (x.at === y.at && x.order < y.order)
  }

  private swap(a: number, b: number): void {
    const x = this.xs[a]
    const y = this.xs[b]
    if (x === undefined || y === undefined) return
    this.xs[a] = y
    this.xs[b] = x
  }
}
