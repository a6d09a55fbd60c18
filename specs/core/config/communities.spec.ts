import t from 'tap'
import { formatCommunity } from '../../../core/model/community.js'
import { build, configOf, lines, mkCommunity } from './mk.js'

const rows: ReadonlyArray<{ desc: string; in: unknown[]; want: string[] }> = [
  {
    desc: 'standard and large aliases',
    in: [mkCommunity('c', { communities: [{ name: 'no-export', value: '65535:65281' }, { name: 'big', value: 'large:1:2:3' }] })],
    want: [],
  },
  { desc: 'no spec', in: [mkCommunity('c')], want: [] },
  {
    desc: 'bad value',
    in: [mkCommunity('c', { communities: [{ name: 'x', value: '65536:1' }] })],
    want: ['Community/c spec.communities[0].value: "65536:1" is not a community: both fields must be numbers from 0 to 65535'],
  },
  {
    desc: 'a value that is not community syntax (aliases cannot chain)',
    in: [mkCommunity('c', { communities: [{ name: 'x', value: 'no-export' }] })],
    want: ['Community/c spec.communities[0].value: "no-export" is not a community: write "65000:100" or "large:65000:1:2"'],
  },
  {
    desc: 'an alias defined twice in one object',
    in: [mkCommunity('c', { communities: [{ name: 'x', value: '1:1' }, { name: 'x', value: '1:2' }] })],
    want: ['Community/c spec.communities[1].name: alias "x" is already defined earlier in this object'],
  },
  {
    desc: 'an alias defined in two objects is reported on the later by name',
    in: [mkCommunity('d', { communities: [{ name: 'x', value: '1:2' }] }), mkCommunity('c', { communities: [{ name: 'x', value: '1:1' }] })],
    want: ['Community/d spec.communities[0].name: alias "x" is already defined in Community "c"'],
  },
]

t.test('Community rules', async (t) => {
  for (const row of rows) t.same(lines(build(row.in)), row.want, row.desc)
})

t.test('the alias table is keyed by alias, in name order', async (t) => {
  const config = configOf(
    build([
      mkCommunity('b', { communities: [{ name: 'zeta', value: '1:1' }] }),
      mkCommunity('a', { communities: [{ name: 'alpha', value: 'large:1:2:3' }] }),
    ]),
  )
  t.same(
    [...(config?.communities ?? new Map())].map(([k, v]) => [k, formatCommunity(v)]),
    [
      ['alpha', 'large:1:2:3'],
      ['zeta', '1:1'],
    ],
  )
})
