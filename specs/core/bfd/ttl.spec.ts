import t from 'tap'
import { ttlDiscard } from '../../../core/bfd/ttl.js'

t.test('single hop takes TTL 255 only; multi-hop takes minimumTtl and above; an unreported TTL fails both', async (t) => {
  const rows = [
    { desc: 'single hop, 255', in: [false, 254, 255], want: undefined },
    { desc: 'single hop, 254 (one router away)', in: [false, 254, 254], want: 'TtlNot255' },
    { desc: 'single hop, 1', in: [false, 1, 1], want: 'TtlNot255' },
    { desc: 'single hop, minimumTtl has no say', in: [false, 1, 200], want: 'TtlNot255' },
    { desc: 'multi-hop, at the minimum', in: [true, 250, 250], want: undefined },
    { desc: 'multi-hop, above it', in: [true, 250, 255], want: undefined },
    { desc: 'multi-hop, one below', in: [true, 250, 249], want: 'TtlBelowMinimum' },
    { desc: 'single hop, TTL not reported', in: [false, 254, -1], want: 'TtlNot255' },
    { desc: 'multi-hop, TTL not reported, minimumTtl 0', in: [true, 0, -1], want: 'TtlBelowMinimum' },
  ] as const
  for (const r of rows) t.equal(ttlDiscard(r.in[0], r.in[1], r.in[2]), r.want, r.desc)
})
