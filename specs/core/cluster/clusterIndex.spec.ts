// indexCluster, followed from change to change, equals clusterObjectsOf of the objects as they are
// after each change: the same lists in the same order (the very objects), the same shown states and
// the same problems; and the maps beside them (Services by key, holders by shown IP) say the same.
// Changes come a few at a time (each object moved alone) and now and then by the hundred (sorted
// afresh), over objects of every kind, some malformed, ids unique as a cache's keys.
import t from 'tap'
import fc from 'fast-check'
import { type ClusterIndex, type ObjectChange, indexCluster } from '../../../core/cluster/clusterIndex.js'
import { type ClusterObjects, type DecodedObject, clusterObjectsOf, decodeClusterObject } from '../../../core/cluster/decodeCluster.js'
import { endpointSliceArb, namespaceArb, nodeArb, serviceArb } from './projectionArbitraries.js'

const KINDS = [
  { kind: 'Service', apiVersion: 'v1', arb: serviceArb, namespaced: true },
  { kind: 'Namespace', apiVersion: 'v1', arb: namespaceArb, namespaced: false },
  { kind: 'Node', apiVersion: 'v1', arb: nodeArb, namespaced: false },
  { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', arb: endpointSliceArb, namespaced: true },
] as const

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/** Object number `n` of the universe: its kind and name fixed by `n` (so ids are unique), the rest random. */
const objectArb = (n: number): fc.Arbitrary<unknown> => {
  const k = KINDS[n % KINDS.length] ?? KINDS[0]
  return fc.tuple(k.arb, fc.constantFrom('apps', 'default')).map(([raw, ns]) => {
    const body = isRecord(raw) ? raw : {}
    const metadata = { ...(isRecord(body['metadata']) ? body['metadata'] : {}), name: `o${n}`, ...(k.namespaced ? { namespace: ns } : {}) }
    return { ...body, apiVersion: k.apiVersion, kind: k.kind, metadata }
  })
}

const UNIVERSE = 160

/** One change: object n replaced by a new random version, or deleted. */
const changeArb: fc.Arbitrary<{ n: number; raw: unknown }> = fc
  .nat({ max: UNIVERSE - 1 })
  .chain((n) => fc.record({ n: fc.constant(n), raw: fc.option(objectArb(n), { nil: undefined, freq: 5 }) }))

/** Mostly a few changes, sometimes a hundred (past the index's threshold for sorting afresh). */
const batchArb = fc.oneof({ arbitrary: fc.array(changeArb, { maxLength: 6 }), weight: 5 }, { arbitrary: fc.array(changeArb, { minLength: 90, maxLength: 130 }), weight: 1 })

const sameRefs = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])

const problemLines = (o: ClusterObjects): string[] => o.problems.map((p) => JSON.stringify([p.kind, p.namespace, p.name, p.field, p.message])).sort()

const mismatch = (got: ClusterObjects, want: ClusterObjects): string | undefined => {
  for (const list of ['services', 'namespaces', 'nodes', 'endpointSlices'] as const) if (!sameRefs(got[list], want[list])) return `${list} differ`
  const shown = (o: ClusterObjects): [string, unknown][] => [...o.shown].sort(([a], [b]) => (a < b ? -1 : 1))
  const [gs, ws] = [shown(got), shown(want)]
  if (gs.length !== ws.length || gs.some(([k, v], i) => ws[i]?.[0] !== k || ws[i]?.[1] !== v)) return 'shown differs'
  if (JSON.stringify(problemLines(got)) !== JSON.stringify(problemLines(want))) return `problems differ: ${JSON.stringify(problemLines(got))} vs ${JSON.stringify(problemLines(want))}`
  return undefined
}

/** servicesByKey holds exactly the listed Services; shownByIP exactly who shows each IP. */
const mapsMismatch = (index: ClusterIndex): string | undefined => {
  const services = index.objects.services
  if (index.servicesByKey.size !== services.length || services.some((svc) => index.servicesByKey.get(svc.key) !== svc)) return 'servicesByKey differs'
  const want = new Map<string, Set<string>>()
  for (const [key, s] of index.objects.shown) for (const ip of s.ingressIPs) want.set(ip, (want.get(ip) ?? new Set()).add(key))
  const norm = (m: Iterable<readonly [string, Iterable<string>]>): string => JSON.stringify([...m].map(([ip, keys]) => [ip, [...keys].sort()]).sort())
  if (norm(index.shownByIP) !== norm(want)) return `shownByIP differs: ${norm(index.shownByIP)} vs ${norm(want)}`
  return undefined
}

t.test('property: followed change by change, the index equals clusterObjectsOf of the objects now', async (t) => {
  let rebuilds = 0
  let steps = 0
  fc.assert(
    fc.property(fc.array(batchArb, { minLength: 1, maxLength: 8 }), (batches) => {
      const current = new Map<string, DecodedObject>()
      let index: ClusterIndex | undefined
      for (const batch of batches) {
        const changes: ObjectChange[] = batch.map(({ n, raw }) => [`id${n}`, raw === undefined ? undefined : decodeClusterObject(raw)])
        for (const [id, d] of changes) {
          if (d === undefined) current.delete(id)
          else current.set(id, d)
        }
        index = indexCluster(index, changes)
        steps++
        if (batch.length > 64) rebuilds++
        const why = mismatch(index.objects, clusterObjectsOf([...current.values()])) ?? mapsMismatch(index)
        if (why !== undefined) throw new Error(`after ${changes.length} changes: ${why}`)
      }
    }),
    { numRuns: 150 },
  )
  t.ok(rebuilds > 0 && steps > rebuilds * 2, `both ways were taken (${rebuilds} large batches of ${steps})`)
})

t.test('an unchanged index is the same index; a change leaves the earlier one as it was', async (t) => {
  const svc = (name: string, ip: string): DecodedObject =>
    decodeClusterObject({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'apps', uid: name }, spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] }, status: { loadBalancer: { ingress: [{ ip }] } } })
  const first = indexCluster(undefined, [['a', svc('a', '192.0.2.1')], ['b', svc('b', '192.0.2.2')]])
  t.equal(indexCluster(first, []), first)
  const second = indexCluster(first, [['a', undefined], ['c', svc('c', '192.0.2.3')]])
  t.same(first.objects.services.map((s) => s.key), ['apps/a', 'apps/b'])
  t.same([...first.objects.shown.keys()].sort(), ['apps/a', 'apps/b'])
  t.same(second.objects.services.map((s) => s.key), ['apps/b', 'apps/c'])
  t.same([...second.objects.shown.keys()].sort(), ['apps/b', 'apps/c'])
  t.equal(second.objects.services[0], first.objects.services[1], 'the unchanged Service is the very object')
})
