// Model-based run (fc.commands): long sequences of cluster events (Services created, updated and
// deleted, pools added, shrunk and deleted, controller restarts) against the planner driven as the
// controller drives it (planFrom over each whole snapshot). After every event the plan must agree exactly with the reference model
// (outcomes, reasons and pool counts), keep the invariants, keep unrelated assignments, and be
// unchanged by writing its own statuses back. One command per file under model/.
import fc from 'fast-check'
import t from 'tap'
import { planFrom } from '../../../core/alloc/incremental.js'
import type { PoolName, ServiceKey } from '../../../core/model/names.js'
import type { Pool } from '../../../core/model/pool.js'
import type { Service } from '../../../core/model/service.js'
import { type Block, POOL_NAMES, V4_BLOCKS, V6_BLOCKS, poolArb, poolsArb, serviceArb, servicesArb } from './arbitraries.js'
import { AddPool } from './model/addPool.js'
import { CreateService } from './model/createService.js'
import { DeletePool } from './model/deletePool.js'
import { DeleteService } from './model/deleteService.js'
import { Restart } from './model/restart.js'
import { ShrinkPool } from './model/shrinkPool.js'
import { type Model, type Real, inputOf, settle, verify } from './model/system.js'
import { UpdateService } from './model/updateService.js'

const blockArb: fc.Arbitrary<Block> = fc.oneof(
  fc.integer({ min: 0, max: V4_BLOCKS - 1 }).map((index): Block => ({ family: 4, index })),
  fc.integer({ min: 0, max: V6_BLOCKS - 1 }).map((index): Block => ({ family: 6, index })),
)

const newPoolArb = fc
  .tuple(fc.constantFrom(...POOL_NAMES, 'g', 'h'), fc.uniqueArray(blockArb, { minLength: 1, maxLength: 3, selector: (b) => `${b.family}:${b.index}` }))
  .chain(([name, blocks]) => poolArb(name, blocks))

const commandsFor = (pools: readonly Pool[]) =>
  fc.commands(
    [
      fc.integer({ min: 0, max: 40 }).chain((i) => serviceArb(`c${i}`, pools)).map((s) => new CreateService(s)),
      fc.nat().map((i) => new DeleteService(i)),
      fc.tuple(fc.nat(), serviceArb('template', pools)).map(([i, s]) => new UpdateService(i, s)),
      newPoolArb.map((p) => new AddPool(p)),
      fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([p, r, k]) => new ShrinkPool(p, r, k)),
      fc.nat().map((i) => new DeletePool(i)),
      fc.constant(new Restart()),
    ],
    { maxCommands: 40 },
  )

const scenario = poolsArb.chain((pools) => fc.tuple(fc.constant(pools), servicesArb(10, pools), commandsFor(pools)))

t.test('cluster events against the reference model', async (t) => {
  fc.assert(
    fc.property(scenario, ([pools, services, cmds]) => {
      const setup = (): { model: Model; real: Real } => {
        const model: Model = {
          services: new Map<ServiceKey, Service>(services.map((s) => [s.key, s])),
          pools: new Map<PoolName, Pool>(pools.map((p) => [p.name, p])),
          settled: new Map(),
        }
        const real: Real = { state: planFrom(undefined, inputOf(model)) }
        verify(model, real, 'initial plan')
        settle(model, real, 'initial plan')
        return { model, real }
      }
      fc.modelRun(setup, cmds)
    }),
    { numRuns: 150 },
  )
  t.pass('every run agreed with the reference model')
})
