// A pool loses a range, or a range gets shorter: the pass plans afresh. Only Services whose addresses left
// the pool move; everyone else keeps theirs.
import type fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type { PoolName } from '../../../../core/model/names.js'
import { unsafeIp } from '../../../../core/net/address.js'
import { mkRange } from '../../../../core/net/range.js'
import { type Model, type Real, expectKept, pass, poolOf, settle, verify } from './system.js'

export class ShrinkPool implements fc.Command<Model, Real> {
  private name: PoolName | undefined
  constructor(
    readonly pick: number,
    readonly range: number,
    readonly keep: number,
  ) {}
  check = (m: Readonly<Model>): boolean => m.pools.size > 0
  run(m: Model, real: Real): void {
    const names = [...m.pools.keys()].sort()
    const name = names[this.pick % names.length] as PoolName
    const pool = m.pools.get(name)
    if (pool === undefined) return
    this.name = name
    const at = this.range % pool.ranges.length
    const r = pool.ranges[at]
    if (r === undefined) return
    const size = Number(r.last - r.first) + 1
    const ranges = [...pool.ranges]
    if (ranges.length > 1 && this.keep % 3 === 0) ranges.splice(at, 1)
    else {
      const cut = mkRange(unsafeIp(r.family, r.first), unsafeIp(r.family, r.first + BigInt(this.keep % size)))
      if (E.isLeft(cut)) throw new Error(cut.left)
      ranges[at] = cut.right
    }
    m.pools.set(name, { ...pool, ranges })
    pass(m, real)
    verify(m, real, this.toString())
    expectKept(m, real, this.toString(), (_, was) => poolOf(was) === name)
    settle(m, real, this.toString())
  }
  toString = (): string => `shrink pool ${this.name ?? `#${this.pick}`}`
}
