// A Service is created: an incremental replan. Nobody who held an address loses it.
import type fc from 'fast-check'
import { replanAllocation } from '../../../../core/alloc/plan.js'
import type { Service } from '../../../../core/model/service.js'
import { type Model, type Real, expectKept, settle, verify } from './system.js'

export class CreateService implements fc.Command<Model, Real> {
  constructor(readonly svc: Service) {}
  check = (m: Readonly<Model>): boolean => !m.services.has(this.svc.key)
  run(m: Model, real: Real): void {
    const svc = { ...this.svc, ingressIPs: [] }
    m.services.set(svc.key, svc)
    real.state = replanAllocation(real.state, { upserted: [svc], deleted: [] })
    verify(m, real, this.toString())
    expectKept(m, real, this.toString(), () => false)
    settle(m, real, this.toString())
  }
  toString = (): string => `create ${this.svc.key}`
}
