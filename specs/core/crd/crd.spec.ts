import t from 'tap'
import * as E from 'fp-ts/lib/Either.js'
import * as io from 'io-ts'
import { objectMetaCodec } from '../../../core/config/metaCodec.js'
import { buildCrds } from '../../../core/crd/catalog.js'
import { type KindDef, type VersionDef, crdFor, withStatus } from '../../../core/crd/crd.js'

const codec = io.type({ metadata: objectMetaCodec, spec: io.type({ size: io.Int }) })
const mkVersion = (name: string, extra: Partial<VersionDef> = {}): VersionDef => ({
  name,
  served: true,
  storage: true,
  codec,
  overlays: {},
  printerColumns: [],
  statusSubresource: false,
  ...extra,
})
const mkKind = (versions: VersionDef[], extra: Partial<KindDef> = {}): KindDef => ({
  kind: 'Widget',
  plural: 'widgets',
  description: 'A widget.',
  versions,
  ...extra,
})

t.test('a kind becomes a CRD: names from the kind, ObjectMeta opaque, metadata never required', async (t) => {
  const r = crdFor(mkKind([mkVersion('v1', { statusSubresource: true, printerColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }] })]))
  t.ok(E.isRight(r))
  if (E.isLeft(r)) return
  const crd = r.right
  t.equal(crd.metadata.name, 'widgets.metallb.io')
  t.same(crd.spec.names, { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' })
  const [v] = crd.spec.versions
  t.same(v?.subresources, { status: {} })
  t.same(v?.additionalPrinterColumns, [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }])
  const root = v?.schema.openAPIV3Schema
  t.equal(root?.description, 'A widget.')
  t.same(root?.required, ['spec'])
  t.same(root?.properties?.['metadata'], { type: 'object' })
  t.same(Object.keys(root?.properties ?? {}), ['apiVersion', 'kind', 'metadata', 'spec'])
  t.notOk('conversion' in crd.spec)
})

t.test('withStatus adds an optional status; empty by default', async (t) => {
  const r = crdFor(mkKind([mkVersion('v1', { codec: withStatus(codec) })]))
  const root = E.isRight(r) ? r.right.spec.versions[0]?.schema.openAPIV3Schema : undefined
  t.same(root?.properties?.['status'], { type: 'object' })
  t.same(root?.required, ['spec'])
})

t.test('problems name the kind and version', async (t) => {
  const rows: ReadonlyArray<{ desc: string; in: KindDef; want: string }> = [
    { desc: 'no storage version', in: mkKind([mkVersion('v1', { storage: false })]), want: 'Widget: exactly one version must be the storage version' },
    { desc: 'two storage versions', in: mkKind([mkVersion('v1'), mkVersion('v2')], { conversion: { strategy: 'None' } }), want: 'Widget: exactly one version must be the storage version' },
    { desc: 'versions without conversion', in: mkKind([mkVersion('v1'), mkVersion('v2', { storage: false })]), want: 'Widget: several versions need a conversion strategy' },
    {
      desc: 'an overlay off the codec',
      in: mkKind([mkVersion('v1', { overlays: { 'spec.colour': { description: 'x' } } })]),
      want: 'Widget v1: spec.colour: overlay names no field of',
    },
  ]
  for (const row of rows) {
    const r = crdFor(row.in)
    t.ok(E.isLeft(r) && r.left.some((p) => p.startsWith(row.want)), `${row.desc}: ${E.isLeft(r) ? r.left.join('; ') : 'no problem'}`)
  }
})

t.test('buildCrds fails as a whole and carries notes', async (t) => {
  const good = mkKind([mkVersion('v1')], { note: 'read me' })
  const bad = mkKind([mkVersion('v1', { storage: false })], { kind: 'Broken', plural: 'brokens' })
  t.ok(E.isLeft(buildCrds([good, bad])))
  const r = buildCrds([good])
  t.same(E.isRight(r) ? r.right.map((d) => d.note) : [], ['read me'])
})
