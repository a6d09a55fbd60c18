// The Event queue between the controller's writes and the API server: enqueue never waits for a POST,
// at most `posters` POSTs run at once, an Event for an object and reason already waiting is replaced
// by the latest (one POST), a full queue drops and counts instead of growing, and drain waits for the
// posts but no longer than its bound.
import t from 'tap'
import type { EventRecorder } from '../../../shell/kube/events.js'
import { eventQueue } from '../../../shell/kube/eventQueue.js'

type Posted = { name: string; reason: string; message: string }

/** A recorder whose POSTs hang until released; it remembers what it was given and the most in flight. */
const gatedRecorder = () => {
  const posted: Posted[] = []
  let open: (() => void)[] = []
  let inFlight = 0
  let most = 0
  const recorder: EventRecorder = {
    record: async (target, _type, reason, message) => {
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise<void>((r) => open.push(r))
      posted.push({ name: target.name, reason, message })
      inFlight--
    },
  }
  const release = (): number => {
    const n = open.length
    for (const r of open) r()
    open = []
    return n
  }
  return { recorder, posted, release, most: () => most, inFlight: () => inFlight }
}

const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', namespace: 'apps', name })
const turn = () => new Promise((r) => setImmediate(r))

t.test('enqueue returns at once; at most `posters` POSTs in flight; all posted in order', async (t) => {
  const g = gatedRecorder()
  const q = eventQueue(g.recorder, { capacity: 100, posters: 3, onDrop: () => t.fail('nothing should drop') })
  for (let i = 0; i < 10; i++) q.enqueue(svc(`s${i}`), 'Normal', 'IPAllocated', `ip ${i}`)
  t.equal(g.inFlight(), 3, 'three POSTs started, the writer not held by any')
  t.equal(q.waiting(), 7)
  for (let round = 0; round < 10 && g.posted.length < 10; round++) {
    g.release()
    await turn()
  }
  t.equal(g.most(), 3, 'never more than three at once')
  t.same(
    g.posted.map((p) => p.name),
    Array.from({ length: 10 }, (_, i) => `s${i}`),
  )
  t.equal(q.waiting(), 0)
})

t.test('the same object and reason while waiting: one POST, the latest message; another reason is its own', async (t) => {
  const g = gatedRecorder()
  const q = eventQueue(g.recorder, { capacity: 100, posters: 1, onDrop: () => t.fail('nothing should drop') })
  q.enqueue(svc('busy'), 'Normal', 'IPAllocated', 'first, in flight')
  q.enqueue(svc('web'), 'Normal', 'IPAllocated', 'old')
  q.enqueue(svc('other'), 'Normal', 'IPAllocated', 'x')
  q.enqueue(svc('web'), 'Normal', 'IPAllocated', 'new')
  q.enqueue(svc('web'), 'Warning', 'AllocationFailed', 'f')
  t.equal(q.waiting(), 3)
  for (let round = 0; round < 10 && g.posted.length < 4; round++) {
    g.release()
    await turn()
  }
  t.same(
    g.posted.map((p) => `${p.name} ${p.reason} ${p.message}`),
    ['busy IPAllocated first, in flight', 'web IPAllocated new', 'other IPAllocated x', 'web AllocationFailed f'],
    'web keeps its place with the latest message',
  )
})

t.test('full: a new Event is dropped and counted, the queue never grows past its capacity', async (t) => {
  const g = gatedRecorder()
  const dropped: string[] = []
  const q = eventQueue(g.recorder, { capacity: 5, posters: 2, onDrop: (reason) => dropped.push(reason) })
  for (let i = 0; i < 20; i++) q.enqueue(svc(`s${i}`), 'Normal', i % 2 === 0 ? 'IPAllocated' : 'ClearAssignment', 'm')
  t.equal(g.inFlight(), 2)
  t.equal(q.waiting(), 5, 'five waiting, no more')
  t.equal(dropped.length, 13, '20 = 2 in flight + 5 waiting + 13 dropped')
  q.enqueue(svc('s3'), 'Normal', 'ClearAssignment', 'replaces a waiting one')
  t.equal(dropped.length, 13, 'a replacement is not a new entry: not dropped')
  for (let round = 0; round < 10 && g.posted.length < 7; round++) {
    g.release()
    await turn()
  }
  t.equal(g.posted.length, 7)
  t.equal(g.posted.find((p) => p.name === 's3')?.message, 'replaces a waiting one')
})

t.test('drain: resolves when all are posted; bounded when a POST hangs', async (t) => {
  const g = gatedRecorder()
  const q = eventQueue(g.recorder, { capacity: 10, posters: 2, onDrop: () => undefined })
  q.enqueue(svc('a'), 'Normal', 'IPAllocated', 'm')
  q.enqueue(svc('b'), 'Normal', 'IPAllocated', 'm')
  q.enqueue(svc('c'), 'Normal', 'IPAllocated', 'm')
  let drained = false
  const d = q.drain(60_000).then(() => (drained = true))
  await turn()
  t.notOk(drained, 'not while POSTs run')
  for (let round = 0; round < 10 && g.posted.length < 3; round++) {
    g.release()
    await turn()
  }
  await d
  t.equal(g.posted.length, 3, 'drained after the third')
  q.enqueue(svc('hangs'), 'Normal', 'IPAllocated', 'm')
  const t0 = Date.now()
  await q.drain(200)
  t.ok(Date.now() - t0 >= 190, 'gave up after its bound')
  t.equal(g.inFlight(), 1)
  g.release()
  await q.drain(0)
  t.equal(await q.drain(5_000).then(() => 'empty'), 'empty', 'an empty queue drains at once')
})
