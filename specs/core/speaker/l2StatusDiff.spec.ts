import t from 'tap'
import fc from 'fast-check'
import { type DesiredL2Status, type L2StatusObject, diffL2Status } from '../../../core/speaker/l2StatusDiff.js'

t.test('examples', async (t) => {
  const desired: DesiredL2Status[] = [
    { serviceNamespace: 'a', serviceName: 'web', interfaces: ['eth0'] },
    { serviceNamespace: 'a', serviceName: 'db', interfaces: ['eth0', 'eth1'] },
  ]
  const existing: L2StatusObject[] = [
    { name: 'l2-1', serviceNamespace: 'a', serviceName: 'web', interfaces: ['eth0'] },
    { name: 'l2-2', serviceNamespace: 'a', serviceName: 'web', interfaces: ['eth0'] },
    { name: 'l2-3', serviceNamespace: 'a', serviceName: 'gone', interfaces: [] },
  ]
  t.same(diffL2Status(desired, existing), {
    create: [{ serviceNamespace: 'a', serviceName: 'db', interfaces: ['eth0', 'eth1'] }],
    update: [],
    delete: ['l2-2', 'l2-3'],
  })
  t.same(diffL2Status([{ serviceNamespace: 'a', serviceName: 'web', interfaces: ['eth1'] }], existing.slice(0, 1)).update, [{ name: 'l2-1', interfaces: ['eth1'] }])
})

const svcArb = fc.record({ serviceNamespace: fc.constantFrom('a', 'b'), serviceName: fc.constantFrom('x', 'y', 'z') })
const ifArb = fc.uniqueArray(fc.constantFrom('eth0', 'eth1', 'bond0'), { maxLength: 3 }).map((l) => [...l].sort())

t.test('applying the changes reaches exactly the desired set', async (t) => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.record({ svc: svcArb, interfaces: ifArb }), { selector: (d) => `${d.svc.serviceNamespace}/${d.svc.serviceName}` }),
      fc.array(fc.record({ svc: svcArb, interfaces: ifArb }), { maxLength: 8 }),
      (wantRaw, haveRaw) => {
        const desired = wantRaw.map((d) => ({ ...d.svc, interfaces: d.interfaces }))
        const existing = haveRaw.map((h, i) => ({ name: `l2-${String(i).padStart(2, '0')}`, ...h.svc, interfaces: h.interfaces }))
        const c = diffL2Status(desired, existing)
        const after = new Map<string, L2StatusObject>(existing.map((o) => [o.name, o]))
        for (const name of c.delete) after.delete(name)
        for (const u of c.update) {
          const o = after.get(u.name)
          if (o !== undefined) after.set(u.name, { ...o, interfaces: u.interfaces })
        }
        c.create.forEach((d, i) => after.set(`new-${i}`, { name: `new-${i}`, ...d }))
        const got = [...after.values()].map((o) => `${o.serviceNamespace}/${o.serviceName}:${[...o.interfaces].sort().join(',')}`).sort()
        const want = desired.map((d) => `${d.serviceNamespace}/${d.serviceName}:${d.interfaces.join(',')}`).sort()
        return JSON.stringify(got) === JSON.stringify(want) && diffL2Status(desired, [...after.values()]).create.length === 0
      },
    ),
  )
  t.pass('converges in one round')
})
