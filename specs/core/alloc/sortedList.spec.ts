// The ordered-list helpers agree with sorting.
import fc from 'fast-check'
import t from 'tap'
import { insertionPoint, mergeOrdered } from '../../../core/alloc/sortedList.js'

const num = (a: number, b: number): number => a - b

t.test('mergeOrdered equals sorting the concatenation', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer()), fc.array(fc.integer()), (a, b) => {
      const x = [...a].sort(num)
      const y = [...b].sort(num)
      return JSON.stringify(mergeOrdered(x, y, num)) === JSON.stringify([...x, ...y].sort(num))
    }),
  )
  t.pass()
})

t.test('insertionPoint is the first index not before the element', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -5, max: 5 })), fc.integer({ min: -6, max: 6 }), (a, x) => {
      const list = [...a].sort(num)
      const at = insertionPoint(list, x, num)
      return list.slice(0, at).every((v) => v < x) && list.slice(at).every((v) => v >= x)
    }),
  )
  const cases = [
    { desc: 'empty', in: { list: [], x: 3 }, want: 0 },
    { desc: 'before all', in: { list: [2, 4], x: 1 }, want: 0 },
    { desc: 'equal goes before', in: { list: [2, 4, 4, 6], x: 4 }, want: 1 },
    { desc: 'after all', in: { list: [2, 4], x: 9 }, want: 2 },
  ]
  for (const c of cases) t.equal(insertionPoint(c.in.list, c.in.x, num), c.want, c.desc)
})
