// A read-only map made of a shared base and a small layer of changes on top, so that a pass which
// changes a few of 10,000 entries makes a new map in O(changes) instead of copying all of them (a
// Map copy was most of a one-change pass at 10,000 Services). Each `with` copies only the layer;
// once the layer outgrows layerLimit (a few times the square root of the base, at least 64), it is
// folded into a new base: O(entries) then, spread over that many changes. Older maps stay as they were.
// `changedSince` names the keys changed between two maps of one line, so a pass can compare only those.
const MIN_LAYER = 64

/**
 * Every `with` copies the layer and every fold copies the base, so with c changes per `with` a layer of
 * L costs about L/2 + c*n/L per change set: least near L = sqrt(2cn). A few times sqrt(n), at most a
 * quarter of the base: at 10,000 entries 400 (a quarter was 2,500, copied on every pass of a wave).
 */
const layerLimit = (baseSize: number): number => Math.max(MIN_LAYER, Math.min(baseSize >> 2, Math.round(4 * Math.sqrt(baseSize))))

export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    /** undefined marks a key removed from the base. */
    private readonly layer: ReadonlyMap<K, V | undefined>,
    readonly size: number,
    /**
     * The keys each `with` since the base touched, in order, shared along one line of maps: a map
     * appends only while it is the newest of its line (ends where the journal ends), else it copies.
     */
    private readonly journal: K[],
    private readonly end: number,
  ) {}

  static of<K, V>(entries: ReadonlyMap<K, V>): LayeredMap<K, V> {
    return new LayeredMap(entries, new Map(), entries.size, [], 0)
  }

  /** This map with each `[key, value]` set, or removed where value is undefined; later entries win. */
  with(changes: Iterable<readonly [K, V | undefined]>): LayeredMap<K, V> {
    const layer = new Map(this.layer)
    const journal = this.end === this.journal.length ? this.journal : this.journal.slice(0, this.end)
    let size = this.size
    for (const [key, value] of changes) {
      const was = layer.has(key) ? layer.get(key) !== undefined : this.base.has(key)
      size += (value !== undefined ? 1 : 0) - (was ? 1 : 0)
      layer.set(key, value)
      journal.push(key)
    }
    if (layer.size <= layerLimit(this.base.size)) return new LayeredMap(this.base, layer, size, journal, journal.length)
    return LayeredMap.of(new Map(new LayeredMap(this.base, layer, size, journal, journal.length)))
  }

  /**
   * The keys that may hold another value here than in `earlier` (each set or removed by a `with`
   * between them), when `earlier` is an ancestor of this map on its line (each map's first child
   * continues its line, a second child starts one) since the last fold: O(those changes). Undefined
   * otherwise; the caller then compares every key.
   */
  changedSince(earlier: LayeredMap<K, V>): readonly K[] | undefined {
    if (earlier.journal !== this.journal || earlier.end > this.end) return undefined
    return this.journal.slice(earlier.end, this.end)
  }

  get(key: K): V | undefined {
    return this.layer.has(key) ? this.layer.get(key) : this.base.get(key)
  }

  has(key: K): boolean {
    return this.get(key) !== undefined
  }

  /** The base's order, then keys new in the layer in the order they were first set. */
  *entries(): MapIterator<[K, V]> {
    for (const [k, v] of this.base) {
      const w = this.layer.has(k) ? this.layer.get(k) : v
      if (w !== undefined) yield [k, w]
    }
    for (const [k, v] of this.layer) if (v !== undefined && !this.base.has(k)) yield [k, v]
  }

  *keys(): MapIterator<K> {
    for (const [k] of this.entries()) yield k
  }

  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries()
  }

  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this)
  }
}
