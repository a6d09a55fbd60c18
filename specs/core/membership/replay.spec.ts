import t from 'tap'
import fc from 'fast-check'
import { type ReplayWindow, admit, WINDOW } from '../../../core/membership/replay.js'

const feed = (msgs: ReadonlyArray<readonly [number, number]>): string[] => {
  let w: ReplayWindow | undefined
  return msgs.map(([epoch, seq]) => {
    const v = admit(w, epoch, seq)
    if (v._tag === 'Fresh') w = v.window
    return v._tag === 'Fresh' ? 'Fresh' : v.reason
  })
}

t.test('examples', async (t) => {
  const rows: ReadonlyArray<{ desc: string; in: ReadonlyArray<readonly [number, number]>; want: string[] }> = [
    { desc: 'in order', in: [[1, 0], [1, 1], [1, 2]], want: ['Fresh', 'Fresh', 'Fresh'] },
    { desc: 'exact replay', in: [[1, 5], [1, 5]], want: ['Fresh', 'Replay'] },
    { desc: 'late but inside the window', in: [[1, 10], [1, 3], [1, 3]], want: ['Fresh', 'Fresh', 'Replay'] },
    { desc: 'older than the window', in: [[1, 100], [1, 100 - WINDOW]], want: ['Fresh', 'TooOld'] },
    { desc: 'edge of the window', in: [[1, 100], [1, 100 - WINDOW + 1]], want: ['Fresh', 'Fresh'] },
    { desc: 'restart: new epoch, seq from 0', in: [[1, 900], [2, 0], [2, 1]], want: ['Fresh', 'Fresh', 'Fresh'] },
    { desc: 'old epoch after a restart', in: [[2, 0], [1, 900]], want: ['Fresh', 'StaleEpoch'] },
    { desc: 'big jump forgets the window', in: [[1, 0], [1, 1000], [1, 0]], want: ['Fresh', 'Fresh', 'TooOld'] },
  ]
  for (const row of rows) t.same(feed(row.in), row.want, row.desc)
})

// Model: a message is fresh iff its (epoch, seq) was never accepted before, its epoch is the newest
// seen, and seq is within WINDOW of the highest seq seen in that epoch.
t.test('agrees with a set-based model; never accepts a pair twice', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 150 })), { maxLength: 200 }), (msgs) => {
      let w: ReplayWindow | undefined
      const accepted = new Set<string>()
      let epoch = -1
      let highest = -1
      for (const [e, s] of msgs) {
        const v = admit(w, e, s)
        const key = `${e}/${s}`
        const newEpoch = e > epoch
        const want = newEpoch || (e === epoch && (s > highest || (highest - s < WINDOW && !accepted.has(key))))
        if ((v._tag === 'Fresh') !== want) return false
        if (v._tag === 'Fresh') {
          if (accepted.has(key)) return false
          accepted.add(key)
          w = v.window
          if (newEpoch) {
            epoch = e
            highest = s
          } else highest = Math.max(highest, s)
        }
      }
      return true
    }),
  )
  t.pass('model agrees')
})
