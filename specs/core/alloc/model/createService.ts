// A Service is created: a pass replans it alone. Nobody who held an address loses it.
import type fc from 'fast-check'
import type { Service } from '../../../../core/model/service.js'
import { type Model, type Real, expectKept, expectReplanned, pass, settle, verify } from './system.js'

export class CreateService implements fc.Command<Model, Real> {
  constructor(readonly svc: Service) {}
  check = (m: Readonly<Model>): boolean => !m.services.has(this.svc.key)
  run(m: Model, real: Real): void {
    const svc = { ...this.svc, ingressIPs: [] }
    m.services.set(svc.key, svc)
    pass(m, real)
    verify(m, real, this.toString())
    expectReplanned(real, this.toString(), [svc.key], [])
    expectKept(m, real, this.toString(), () => false)
    settle(m, real, this.toString())
  }
  toString = (): string => `create ${this.svc.key}`
}
