import t from 'tap'
import { isList, objectProblem } from '../../../shell/yaml/objectShape.js'

const rows: ReadonlyArray<{ desc: string; in: unknown; want: string | undefined }> = [
  { desc: 'a Service', in: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } }, want: undefined },
  { desc: 'a string', in: 'hello', want: 'a string, not a Kubernetes object (a mapping with apiVersion and kind)' },
  { desc: 'a list', in: [1], want: 'a list, not a Kubernetes object (a mapping with apiVersion and kind)' },
  { desc: 'a number', in: 3, want: 'a number, not a Kubernetes object (a mapping with apiVersion and kind)' },
  { desc: 'a timestamp (YAML 1.1)', in: new Date(0), want: 'a timestamp, not a Kubernetes object (a mapping with apiVersion and kind)' },
  { desc: 'no apiVersion', in: { kind: 'Service', metadata: { name: 'web' } }, want: 'Service web has no apiVersion' },
  { desc: 'no kind', in: { apiVersion: 'v1', metadata: { name: 'web' } }, want: 'object web has no kind' },
  { desc: 'neither', in: { metadata: {} }, want: 'object (no name) has no apiVersion and no kind' },
  { desc: 'an empty kind', in: { apiVersion: 'v1', kind: '' }, want: 'object (no name) has no kind' },
  { desc: 'a numeric kind', in: { apiVersion: 'v1', kind: 5 }, want: 'object (no name): kind is a number, not a string' },
  { desc: 'a list as apiVersion', in: { apiVersion: ['v1'], kind: 'Service' }, want: 'Service (no name): apiVersion is a list, not a string' },
]

t.test('what is a Kubernetes object', async (t) => {
  for (const row of rows) t.equal(objectProblem(row.in), row.want, row.desc)
})

t.test('lists', async (t) => {
  t.ok(isList({ apiVersion: 'v1', kind: 'List', items: [] }))
  t.ok(isList({ apiVersion: 'v1', kind: 'ServiceList', items: [] }))
  t.notOk(isList({ apiVersion: 'v1', kind: 'List' }), 'a List without items is an object of its own')
  t.notOk(isList([]))
})
