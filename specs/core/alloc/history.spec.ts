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
