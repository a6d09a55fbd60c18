// A pool is deleted: the pass plans afresh (the configuration changed). Its Services move (or wait); nobody else does.
import type fc from 'fast-check'
import type { PoolName } from '../../../../core/model/names.js'
import { type Model, type Real, expectFresh, expectKept, pass, poolOf, settle, verify } from './system.js'

export class DeletePool implements fc.Command<Model, Real> {
  private name: PoolName | undefined
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>): boolean => m.pools.size > 0
  run(m: Model, real: Real): void {
    const names = [...m.pools.keys()].sort()
    const name = names[this.pick % names.length] as PoolName
    this.name = name
    m.pools.delete(name)
    pass(m, real)
    verify(m, real, this.toString())
    expectFresh(real, this.toString(), 'ConfigChanged')
    expectKept(m, real, this.toString(), (_, was) => poolOf(was) === name)
    settle(m, real, this.toString())
  }
  toString = (): string => `delete pool ${this.name ?? `#${this.pick}`}`
}
