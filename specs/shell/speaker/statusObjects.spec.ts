// The speaker's status-object writes (shell/speaker/statusObjects.ts, through bgpStatus.ts's kind) on a
// small in-memory store of ServiceBGPStatus objects whose every request takes a random few ms: several
// objects at once but never more than 8, one object per Service created (none lost, none twice), the
// writes about one object made in the order given (the last stays), a failed request losing none of
// the others' objects, and each create's nodeAssigned Event queued without holding the writes.
import t from 'tap'
import type { BgpStatusWrite } from '../../../core/speaker/bgpStatusWrites.js'
import type { RestClient } from '../../../shell/kube/rest.js'
import { silentLogger } from '../../../shell/obs/log.js'
import { writeBgpStatus } from '../../../shell/speaker/bgpStatus.js'
import type { EventQueue } from '../../../shell/kube/eventQueue.js'

type Stored = { metadata: { name: string; labels: Record<string, string> }; status?: { peers?: readonly string[] } | undefined }

const BASE = '/apis/metallb.io/v1beta1/namespaces/cfg/servicebgpstatuses'

/** The store; `failPost(i)` makes the i-th POST throw as a timed-out request would. */
const store = (seed: number, failPost: (i: number) => boolean = () => false) => {
  const objects = new Map<string, Stored>()
  let rand = seed
  const delay = () => {
    rand = (rand * 1_103_515_245 + 12_345) % 2 ** 31
    return new Promise((r) => setTimeout(r, rand % 7))
  }
  let inFlight = 0
  let most = 0
  let posts = 0
  let named = 0
  const rest: RestClient = {
    request: async (method, path, opts) => {
      inFlight++
      most = Math.max(most, inFlight)
      try {
        await delay()
        if (method === 'POST' && path === BASE) {
          if (failPost(posts++)) throw new Error('no answer within 5000 ms')
          const meta = (opts?.body as { metadata: { labels: Record<string, string> } }).metadata
          const o: Stored = { metadata: { name: `bgp-${(named++).toString(36)}`, labels: meta.labels } }
          objects.set(o.metadata.name, o)
          return { status: 201, body: structuredClone(o) }
        }
        const m = /\/servicebgpstatuses\/([^/]+)(\/status)?$/.exec(path)
        const o = m === null ? undefined : objects.get(m[1] ?? '')
        if (o === undefined) return { status: 404, body: {} }
        if (method === 'PATCH') {
          o.status = (opts?.body as { status: Stored['status'] }).status
          return { status: 200, body: structuredClone(o) }
        }
        if (method === 'DELETE') {
          objects.delete(o.metadata.name)
          return { status: 200, body: {} }
        }
        return { status: 405, body: {} }
      } finally {
        inFlight--
      }
    },
    stream: async () => undefined,
    close: () => undefined,
  }
  return { rest, objects, most: () => most }
}

const queued = () => {
  const reasons: string[] = []
  const events: EventQueue = { enqueue: (_target, _type, reason) => void reasons.push(reason), drain: async () => undefined, waiting: () => 0 }
  return { events, reasons }
}

const svc = (i: number) => ({ serviceNamespace: 'apps', serviceName: `s${i}` })
const create = (i: number): BgpStatusWrite => ({ _tag: 'Create', ...svc(i), peers: ['tor-a'] })

t.test('60 creates: several at once, never more than 8; one object per Service, each with its status', async (t) => {
  const s = store(7)
  const q = queued()
  const written = await writeBgpStatus({ rest: s.rest, log: silentLogger, events: q.events, namespace: 'cfg', node: 'n1' }, Array.from({ length: 60 }, (_, i) => create(i)))
  t.ok(s.most() > 1, `requests overlapped (${s.most()} at most)`)
  t.ok(s.most() <= 8, `at most 8 in flight (${s.most()})`)
  t.equal(written.length, 60, 'every created object handed back for the cache')
  const services = [...s.objects.values()].map((o) => o.metadata.labels['metallb.io/service-name'] ?? '?').sort()
  t.same(services, Array.from({ length: 60 }, (_, i) => `s${i}`).sort(), 'one object per Service, none twice')
  t.ok([...s.objects.values()].every((o) => o.status?.peers?.[0] === 'tor-a'), 'each with its status')
  t.equal(q.reasons.filter((r) => r === 'nodeAssigned').length, 60, 'a nodeAssigned Event queued per create')
})

t.test('writes about one object run in the order given: the last one stays, whatever the delays', async (t) => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const s = store(seed)
    const deps = { rest: s.rest, log: silentLogger, events: queued().events, namespace: 'cfg', node: 'n1' }
    const made = await writeBgpStatus(deps, Array.from({ length: 10 }, (_, i) => create(i)))
    const names = made.map((o) => o.metadata?.name ?? '?')
    // Each object gets three updates in a row and, the even ones, a delete after them.
    const writes: BgpStatusWrite[] = []
    for (const [i, name] of names.entries()) {
      for (const round of ['a', 'b', 'c']) writes.push({ _tag: 'Update', name, ...svc(i), peers: [`tor-${round}`] })
      if (i % 2 === 0) writes.push({ _tag: 'Delete', name })
    }
    await writeBgpStatus(deps, writes)
    t.equal(s.objects.size, 5, `seed ${seed}: the five deleted are gone`)
    t.ok(
      [...s.objects.values()].every((o) => o.status?.peers?.[0] === 'tor-c'),
      `seed ${seed}: every one left holds the last update (${[...s.objects.values()].map((o) => o.status?.peers?.[0]).join(' ')})`,
    )
  }
})

t.test('a create whose request fails loses none of the other objects', async (t) => {
  const s = store(11, (i) => i === 3)
  const written = await writeBgpStatus({ rest: s.rest, log: silentLogger, events: queued().events, namespace: 'cfg', node: 'n1' }, Array.from({ length: 20 }, (_, i) => create(i)))
  t.equal(s.objects.size, 19)
  t.equal(written.length, 19, 'the 19 created all handed back')
})
