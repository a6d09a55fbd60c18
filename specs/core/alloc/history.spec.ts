// The versioned record behind plans: every version stays readable as later ones are written.
import t from 'tap'
import { History } from '../../../core/alloc/history.js'

t.test('views keep their version', async (t) => {
  const h = new History<string, string, number>()
  const v1 = h.advance()
  h.write('a', 'A', 1)
  h.write('b', 'B', 2)
  const first = h.outputs(v1)
  const v2 = h.advance()
  h.write('a', 'A2', 10)
  h.write('b', undefined, undefined)
  h.write('c', 'C', 3)
  h.write('c', 'C', 4) // a second write in one version replaces the first
  const second = h.outputs(v2)
  t.same([...first], [['a', 1], ['b', 2]], 'version 1 as written')
  t.equal(first.size, 2)
  t.same([...second], [['a', 10], ['c', 4]], 'version 2 as written')
  t.equal(second.size, 2)
  t.equal(first.get('c'), undefined, 'a later key is invisible to an older view')
  t.equal(second.has('b'), false, 'a deletion is visible from its version on')
  t.same([...h.inputs(v1)], [['a', 'A'], ['b', 'B']], 'inputs of version 1')
  t.equal(h.latest('b'), undefined)
  t.equal(h.latest('a')?.output, 10)
})

t.test('a compacted history holds the head alone, and the old one still reads every version', async (t) => {
  const h = new History<string, string, number>()
  const v1 = h.advance()
  h.write('a', 'A', 1)
  h.write('b', 'B', 2)
  for (let i = 0; i < 10; i++) {
    h.advance()
    h.write('a', `A${i}`, 100 + i)
  }
  h.write('b', undefined, undefined)
  const head = h.head
  const c = h.compacted()
  const cases: { desc: string; in: number; want: number }[] = [
    { desc: 'the old history: 11 cells of a, 2 of b (one a deletion), 12 versions', in: h.recorded, want: 25 },
    { desc: 'the compacted one: one cell, the empty version 0 and version 1', in: c.recorded, want: 3 },
    { desc: 'live keys of the compacted one', in: c.live, want: 1 },
  ]
  for (const x of cases) t.equal(x.in, x.want, x.desc)
  t.same([...c.outputs(c.head)], [...h.outputs(head)], 'the compacted head reads as the old head')
  t.same([...h.outputs(v1)], [['a', 1], ['b', 2]], 'the old history still reads version 1')
  c.advance()
  c.write('b', 'B2', 5)
  t.same([...h.outputs(head)], [['a', 109]], 'writing to the compacted one leaves the old one as it was')
})
