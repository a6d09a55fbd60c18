// What the BGP part of a speaker pass allocates per prefix, garbage included, at 10,000 prefixes: a
// pass runs mergeRoutes and the session's updatesFor over every prefix each time, and at that scale
// their garbage, not what they keep, set the speaker's heap and RSS (specs/bench/speakerMemory.ts:
// 186 MiB allocated by one pass at 10,000 Services before, 115 MiB after). Bytes come from V8's
// sampling heap profiler with collected objects included. Measured 2026-12-03: mergeRoutes 59 B a
// prefix (2,661 B with a text key and a fresh route per prefix, as before), updatesFor 1,930 B
// (3,409 B with both attribute keys built per prefix to compare them, as before).
import { Session } from 'node:inspector'
import t from 'tap'
import { updatesFor } from '../../../core/bgp/adjRibOut.js'
import type { OutFacts } from '../../../core/bgp/adjRibOut.js'
import { mergeRoutes } from '../../../core/bgp/advertiseRoute.js'
import { type Route, mkRoute } from '../../../core/bgp/route.js'
import type { BGPPeer } from '../../../core/model/bgpPeer.js'
import { unsafeIp } from '../../../core/net/address.js'
import type { Prefix } from '../../../core/net/prefix.js'

const N = 10_000
// Only what mergeRoutes reads of a peer (eBGP: no localPref, no prepend here).
const peer = { name: 'tor', myAsn: 64512, peerAsn: { _tag: 'Fixed', asn: 64500 } } as unknown as BGPPeer
const facts: OutFacts = { localAsn: 64512, ibgp: false, fourOctetAs: true, families: [6], extendedNextHop: false, nextHopV6: unsafeIp(6, 0x20010db8010000000000000000000011n) }
/** One pass's routes: fresh objects every time, as the core makes them each pass. */
const routes = (): Route[] =>
  Array.from({ length: N }, (_, i) => mkRoute({ prefix: { network: unsafeIp(6, 0x20010db8030000000000000000010000n + BigInt(i)), length: 128 } as Prefix, communities: [{ _tag: 'Standard', high: 64512, low: 100 }] }))

/** Bytes allocated while `f` runs, sampled every 512 bytes; collected objects counted too. */
const allocated = async (f: () => void): Promise<number> => {
  const s = new Session()
  s.connect()
  const post = (method: string, params?: object): Promise<unknown> => new Promise((resolve, reject) => s.post(method, params, (err, res) => (err === null ? resolve(res) : reject(err))))
  await post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true })
  f()
  const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: Node } }
  s.disconnect()
  const sum = (n: Node): number => n.selfSize + n.children.reduce((a, c) => a + sum(c), 0)
  return sum(profile.head)
}
interface Node {
  readonly selfSize: number
  readonly children: readonly Node[]
}

t.test(`mergeRoutes of ${N} prefixes, one route each: no per-route key or copy`, async (t) => {
  const input = routes()
  let out: Route[] = []
  const bytes = await allocated(() => void (out = mergeRoutes(input, peer)))
  t.equal(out.length, N)
  t.ok(out.every((r, i) => r === input[i]), 'each route kept as it came (they arrive in order)')
  t.ok(bytes / N < 200, `${Math.round(bytes / N)} B a prefix (bar 200)`)
})

t.test(`updatesFor with ${N} prefixes held and the same wanted again: nothing to send, little allocated`, async (t) => {
  const sent = updatesFor(new Map(), routes(), facts).sent
  const again = routes()
  let n = -1
  const bytes = await allocated(() => void (n = updatesFor(sent, again, facts).updates.length))
  t.equal(n, 0, 'no UPDATE')
  t.ok(bytes / N < 2_400, `${Math.round(bytes / N)} B a prefix (bar 2,400)`)
})
