// The controller restarts: a full plan from the cluster as it stands, statuses included. Nothing
// moves (MetalLB processes the Services holding IPs first for exactly this).
import type fc from 'fast-check'
import { startAllocation } from '../../../../core/alloc/plan.js'
import { type Model, type Real, expectKept, inputOf, settle, verify } from './system.js'

export class Restart implements fc.Command<Model, Real> {
  check = (): boolean => true
  run(m: Model, real: Real): void {
    real.state = startAllocation(inputOf(m))
    verify(m, real, this.toString())
    expectKept(m, real, this.toString(), () => false)
    settle(m, real, this.toString())
  }
  toString = (): string => 'restart'
}
