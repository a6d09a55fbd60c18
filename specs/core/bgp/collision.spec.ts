import t from 'tap'
import fc from 'fast-check'
import { winner } from '../../../core/bgp/collision.js'

t.test('RFC 4271 §6.8: the higher BGP Identifier keeps the connection it opened', async (t) => {
  const rows = [
    { desc: 'we are higher: ours (dialled) stays', in: [0xc6336411, 0xc6336401], want: 'Dialled' },
    { desc: 'they are higher: theirs (accepted) stays', in: [0xc6336401, 0xc6336411], want: 'Accepted' },
    { desc: 'compared unsigned: 255.0.0.1 beats 1.0.0.1', in: [0xff000001, 0x01000001], want: 'Dialled' },
    { desc: 'equal (eBGP, RFC 6286): ours stays', in: [0xc6336411, 0xc6336411], want: 'Dialled' },
  ]
  for (const r of rows) t.equal(winner(r.in[0] ?? 0, r.in[1] ?? 0), r.want, r.desc)
})

t.test('both ends decide alike: where the two identifiers differ, exactly one side keeps its own connection', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 1, max: 0xffffffff }), (a, b) => a === b || (winner(a, b) === 'Dialled') !== (winner(b, a) === 'Dialled')),
  )
  t.pass('held')
})
