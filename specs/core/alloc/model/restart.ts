// The controller restarts: a full plan from the cluster as it stands, statuses included. Nothing
// moves (MetalLB processes the Services holding IPs first for exactly this).
import type fc from 'fast-check'
import { planFrom } from '../../../../core/alloc/incremental.js'
import { type Model, type Real, expectFresh, expectKept, inputOf, settle, verify } from './system.js'

export class Restart implements fc.Command<Model, Real> {
  check = (): boolean => true
  run(m: Model, real: Real): void {
    real.state = planFrom(undefined, inputOf(m))
    verify(m, real, this.toString())
    expectFresh(real, this.toString(), 'NoPrior')
    expectKept(m, real, this.toString(), () => false)
    settle(m, real, this.toString())
  }
  toString = (): string => 'restart'
}
