import t from 'tap'
import fc from 'fast-check'
import { parseCommunity } from '../../../core/config/communityValue.js'
import { formatCommunity } from '../../../core/model/community.js'

const rows: ReadonlyArray<{ desc: string; in: string; want: string }> = [
  { desc: 'standard', in: '65000:100', want: '65000:100' },
  { desc: 'well-known NO_EXPORT', in: '65535:65281', want: '65535:65281' },
  { desc: 'zeros', in: '0:0', want: '0:0' },
  { desc: 'leading zeros are decimal', in: '007:010', want: '7:10' },
  { desc: 'standard field too big', in: '65536:1', want: 'BadValue' },
  { desc: 'standard field not a number', in: 'a:1', want: 'BadValue' },
  { desc: 'standard field empty', in: ':1', want: 'BadValue' },
  { desc: 'standard field signed', in: '+1:1', want: 'BadValue' },
  { desc: 'large', in: 'large:4294967295:0:1', want: 'large:4294967295:0:1' },
  { desc: 'large field too big', in: 'large:4294967296:0:1', want: 'BadValue' },
  { desc: 'four fields without marker', in: '1:2:3:4', want: 'BadValue' },
  { desc: 'alias-like name', in: 'no-export', want: 'NotCommunitySyntax' },
  { desc: 'three fields', in: '1:2:3', want: 'NotCommunitySyntax' },
  { desc: 'empty', in: '', want: 'NotCommunitySyntax' },
]

t.test('community text', async (t) => {
  for (const row of rows) {
    const got = parseCommunity(row.in)
    t.equal(got._tag === 'Community' ? formatCommunity(got.value) : got._tag, row.want, row.desc)
  }
})

t.test('format then parse is the identity', async (t) => {
  const u16 = fc.integer({ min: 0, max: 0xffff })
  const u32 = fc.integer({ min: 0, max: 0xffffffff })
  const community = fc.oneof(
    fc.record({ _tag: fc.constant('Standard' as const), high: u16, low: u16 }),
    fc.record({ _tag: fc.constant('Large' as const), global: u32, local1: u32, local2: u32 }),
  )
  fc.assert(
    fc.property(community, (c) => {
      const back = parseCommunity(formatCommunity(c))
      return back._tag === 'Community' && formatCommunity(back.value) === formatCommunity(c)
    }),
  )
  t.pass('round trip')
})
