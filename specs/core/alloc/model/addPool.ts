// A pool is added on unused blocks under an unused name: the pass plans afresh (the configuration changed).
// Services that held addresses keep them, wherever the new pool ranks.
import type fc from 'fast-check'
import type { Pool } from '../../../../core/model/pool.js'
import { blockOf } from '../arbitraries.js'
import { type Model, type Real, expectFresh, expectKept, pass, settle, verify } from './system.js'

export class AddPool implements fc.Command<Model, Real> {
  constructor(readonly pool: Pool) {}
  check = (m: Readonly<Model>): boolean => {
    const used = new Set([...m.pools.values()].flatMap((p) => p.ranges.map(blockOf)))
    return !m.pools.has(this.pool.name) && this.pool.ranges.every((r) => !used.has(blockOf(r)))
  }
  run(m: Model, real: Real): void {
    m.pools.set(this.pool.name, this.pool)
    pass(m, real)
    verify(m, real, this.toString())
    expectFresh(real, this.toString(), 'ConfigChanged')
    expectKept(m, real, this.toString(), () => false)
    settle(m, real, this.toString())
  }
  toString = (): string => `add pool ${this.pool.name} ${this.pool.ranges.map((r) => r.text).join(' ')}`
}
