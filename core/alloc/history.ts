// A keyed record of inputs and outputs with a linear history, so every plan ever returned stays
// readable after later replans without copying 100,000 entries each time ("fat node" persistence):
// each key keeps a chain of cells, newest first, and a view reads the newest cell at or before its
// version. Writing is O(1); reading walks the chain, which is short (one cell per change of that key
// since the last compaction). Memory grows with the number of changes and versions: `compacted()`
// starts a new history from the head alone, and the old one lives on only for views still held.
interface Cell<I, O> {
  readonly version: number
  /** Both undefined record a deletion. */
  readonly input: I | undefined
  readonly output: O | undefined
  readonly prev: Cell<I, O> | undefined
}

const at = <I, O>(cell: Cell<I, O> | undefined, version: number): Cell<I, O> | undefined => {
  let c = cell
  while (c !== undefined && c.version > version) c = c.prev
  return c?.input === undefined ? undefined : c
}

export class History<K, I, O> {
  private readonly cells = new Map<K, Cell<I, O>>()
  private readonly sizes: number[] = [0]
  private cellCount = 0

  /** The version being written; views of it are complete once the writer moves on. */
  get head(): number {
    return this.sizes.length - 1
  }

  /** Starts the next version, a copy of the head until written to. */
  advance(): number {
    this.sizes.push(this.sizes[this.head] ?? 0)
    return this.head
  }

  /** The newest cell of a key, if the key is present at the head. */
  latest(key: K): Cell<I, O> | undefined {
    const c = this.cells.get(key)
    return c?.input === undefined ? undefined : c
  }

  /** Cells and versions held: what this history costs in memory, whatever is live at the head. */
  get recorded(): number {
    return this.cellCount + this.sizes.length
  }

  /** Keys present at the head. */
  get live(): number {
    return this.sizes[this.head] ?? 0
  }

  /**
   * A new history holding only the head (each present key's newest cell) as its version 1, keys in
   * the same order; O(keys). This one is left as it was, so views already handed out still read true.
   */
  compacted(): History<K, I, O> {
    const next = new History<K, I, O>()
    next.advance()
    for (const [key, cell] of this.cells) if (cell.input !== undefined) next.write(key, cell.input, cell.output)
    return next
  }

  /** Records the key at the head version; undefined input deletes it. */
  write(key: K, input: I | undefined, output: O | undefined): void {
    const cell = this.cells.get(key)
    const head = this.head
    const was = cell?.input !== undefined
    // A second write in the same version replaces the first, so chains stay one cell per version.
    const prev = cell !== undefined && cell.version === head ? cell.prev : cell
    if (prev === cell) this.cellCount++
    this.cells.set(key, { version: head, input, output, prev })
    const is = input !== undefined
    if (was !== is) this.sizes[head] = (this.sizes[head] ?? 0) + (is ? 1 : -1)
  }

  inputs(version: number): ReadonlyMap<K, I> {
    return new HistoryView(this.cells, version, this.sizes[version] ?? 0, (c) => c.input)
  }

  outputs(version: number): ReadonlyMap<K, O> {
    return new HistoryView(this.cells, version, this.sizes[version] ?? 0, (c) => c.output)
  }
}

/** A read-only map of one version. Iteration follows first insertion of each key. */
class HistoryView<K, I, O, W> implements ReadonlyMap<K, W> {
  constructor(
    private readonly cells: ReadonlyMap<K, Cell<I, O>>,
    private readonly version: number,
    readonly size: number,
    private readonly project: (c: Cell<I, O>) => W | undefined,
  ) {}

  get(key: K): W | undefined {
    const c = at(this.cells.get(key), this.version)
    return c === undefined ? undefined : this.project(c)
  }

  has(key: K): boolean {
    return at(this.cells.get(key), this.version) !== undefined
  }

  *entries(): MapIterator<[K, W]> {
    for (const [k, cell] of this.cells) {
      const c = at(cell, this.version)
      const w = c === undefined ? undefined : this.project(c)
      if (w !== undefined) yield [k, w]
    }
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k
  }

  *values(): MapIterator<W> {
    for (const [, v] of this.entries()) yield v
  }

  [Symbol.iterator](): MapIterator<[K, W]> {
    return this.entries()
  }

  forEach(fn: (value: W, key: K, map: ReadonlyMap<K, W>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this)
  }
}
