// A Service's spec or annotations change (its status stays): a pass replans it alone. Only that
// Service may move, and the Services sharing an address with it: should it no longer be compatible,
// whichever of them comes later in processing order gives the address up. (MetalLB, reacting to the
// edit alone, would always evict the edited Service; a level-based plan cannot tell who changed.)
import type fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import type { ServiceKey } from '../../../../core/model/names.js'
import type { Service } from '../../../../core/model/service.js'
import { type Model, type Real, expectKept, expectReplanned, ipsOf, pass, settle, verify } from './system.js'

export class UpdateService implements fc.Command<Model, Real> {
  private key: ServiceKey | undefined
  constructor(
    readonly pick: number,
    readonly spec: Service,
  ) {}
  check = (m: Readonly<Model>): boolean => m.services.size > 0
  run(m: Model, real: Real): void {
    const keys = [...m.services.keys()].sort()
    const key = keys[this.pick % keys.length] as ServiceKey
    const old = m.services.get(key)
    if (old === undefined) return
    this.key = key
    const svc: Service = { ...this.spec, key, namespace: old.namespace, name: old.name, ingressIPs: old.ingressIPs, creationTimestamp: old.creationTimestamp }
    m.services.set(key, svc)
    pass(m, real)
    verify(m, real, this.toString())
    expectReplanned(real, this.toString(), isDeepStrictEqual(old, svc) ? [] : [key], [])
    const mine = ipsOf(m.settled.get(key) ?? '')
    expectKept(m, real, this.toString(), (k, was) => k === key || ipsOf(was).some((ip) => mine.includes(ip)))
    settle(m, real, this.toString())
  }
  toString = (): string => `update ${this.key ?? `#${this.pick}`}`
}
