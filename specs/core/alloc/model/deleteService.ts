// A Service is deleted: a pass replans its removal alone. The others keep what they held.
import type fc from 'fast-check'
import type { ServiceKey } from '../../../../core/model/names.js'
import { type Model, type Real, expectKept, expectReplanned, pass, settle, verify } from './system.js'

export class DeleteService implements fc.Command<Model, Real> {
  private key: ServiceKey | undefined
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>): boolean => m.services.size > 0
  run(m: Model, real: Real): void {
    const keys = [...m.services.keys()].sort()
    const key = keys[this.pick % keys.length] as ServiceKey
    this.key = key
    m.services.delete(key)
    pass(m, real)
    verify(m, real, this.toString())
    expectReplanned(real, this.toString(), [], [key])
    expectKept(m, real, this.toString(), () => false)
    settle(m, real, this.toString())
  }
  toString = (): string => `delete ${this.key ?? `#${this.pick}`}`
}
