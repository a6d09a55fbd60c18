// A deterministic simulated LAN for the membership core: N speakers, a virtual clock, per-packet
// loss and delay, partitions, crashes and stalls. Every node is the pure step function and nothing
// else; the network is a seeded event queue, so a failing run replays exactly from its seed.
// Messages go through the real codec when `wire` is on (the default), as bytes would.
// Ticks come every tickMs (`ticks: 'periodic'`, the default) or, as shell/membership/detector.ts
// runs it, only when the core says something is due (`ticks: 'due'`, core/membership/due.ts); a
// stalled node then reads what arrived before its late tick, as the shell's setImmediate does.
import * as E from 'fp-ts/lib/Either.js'
import type { NodeName } from '../../../../core/model/names.js'
import { decode, encode } from '../../../../core/membership/codec.js'
import { type MembershipConfig, defaultConfig } from '../../../../core/membership/config.js'
import { type Endpoint, type Member, endpointKey } from '../../../../core/membership/member.js'
import type { Message } from '../../../../core/membership/message.js'
import { type Rng, below, next, seedRng } from '../../../../core/membership/rng.js'
import { type Action, type Event, type State, aliveSet, initialState } from '../../../../core/membership/state.js'
import { step } from '../../../../core/membership/step.js'
import { dueAt } from '../../../../core/membership/due.js'
import { Heap } from './heap.js'

export interface SimOptions {
  readonly n: number
  readonly seed: number
  readonly loss?: number
  readonly delayMs?: readonly [number, number]
  readonly tickMs?: number
  readonly ticks?: 'periodic' | 'due'
  readonly config?: MembershipConfig
  readonly wire?: boolean
  /** Keep the last this many delivered messages (for replay attacks). */
  readonly capture?: number
}

export interface Death {
  readonly at: number
  readonly observer: NodeName
  readonly subject: NodeName
  readonly status: 'Dead' | 'Left'
}

export interface Delivered {
  readonly at: number
  readonly to: NodeName
  readonly from: Endpoint
  readonly message: Message
}

type Item = { readonly kind: 'tick'; readonly node: number; readonly at?: number } | { readonly kind: 'deliver'; readonly node: number; readonly from: Endpoint; readonly message: Message }

export const simName = (i: number): NodeName => `node-${String(i).padStart(4, '0')}` as NodeName
export const simMember = (i: number): Member => ({ name: simName(i), address: { host: `2001:db8::${(i + 1).toString(16)}`, port: 7946 } })

export class SimNetwork {
  readonly names: readonly NodeName[]
  readonly members: readonly Member[]
  readonly deaths: Death[] = []
  readonly sent: number[]
  readonly received: number[]
  /** Ticks each node ran (its wake-ups, in due mode). */
  readonly ticks: number[]
  readonly captured: Delivered[] = []
  /** MemberChanged actions seen, by status (Suspect counts every suspicion raised or heard). */
  readonly transitions = { Alive: 0, Suspect: 0, Dead: 0, Left: 0 }
  /** Every MembershipChanged, per node: [time, live set size]. */
  readonly changes: Array<{ at: number; node: NodeName; alive: ReadonlySet<NodeName> }> = []
  private readonly states: State[]
  private readonly crashed: boolean[]
  private readonly pausedUntil: number[]
  private readonly group: number[]
  private readonly byEndpoint = new Map<string, number>()
  private readonly heap = new Heap<Item>()
  private rng: Rng
  private clock = 0
  private loss: number
  private readonly delay: readonly [number, number]
  private readonly tickMs: number
  private readonly dueTicks: boolean
  /** In due mode, the time of each node's one live tick item (older items are stale). */
  private readonly tickAt: number[]
  private readonly wire: boolean
  private readonly capture: number
  private readonly config: MembershipConfig
  private readonly seed: number
  private readonly runs: number[]

  constructor(o: SimOptions) {
    this.rng = seedRng(o.seed ^ 0x5bd1e995)
    this.loss = o.loss ?? 0
    this.delay = o.delayMs ?? [0.1, 1]
    this.tickMs = o.tickMs ?? 10
    this.dueTicks = o.ticks === 'due'
    this.wire = o.wire ?? true
    this.capture = o.capture ?? 0
    this.members = Array.from({ length: o.n }, (_, i) => simMember(i))
    this.names = this.members.map((m) => m.name)
    this.members.forEach((m, i) => this.byEndpoint.set(endpointKey(m.address), i))
    const config = o.config ?? defaultConfig
    this.config = config
    this.seed = o.seed
    this.runs = this.members.map(() => 0)
    this.states = this.members.map((self, i) =>
      initialState({ config, self, members: this.members, epoch: 1_000_000 + i, seed: (o.seed * 7919 + i) >>> 0, now: 0 }),
    )
    this.crashed = this.members.map(() => false)
    this.pausedUntil = this.members.map(() => 0)
    this.group = this.members.map(() => 0)
    this.sent = this.members.map(() => 0)
    this.received = this.members.map(() => 0)
    this.ticks = this.members.map(() => 0)
    this.tickAt = this.members.map(() => Infinity)
    for (let i = 0; i < o.n; i++) this.scheduleTick(i, this.random(this.tickMs))
  }

  now(): number {
    return this.clock
  }

  index(name: NodeName): number {
    const i = this.names.indexOf(name)
    if (i < 0) throw new Error(`no node ${name}`)
    return i
  }

  state(name: NodeName): State {
    return this.states[this.index(name)] as State
  }

  alive(name: NodeName): ReadonlySet<NodeName> {
    return aliveSet(this.state(name))
  }

  isCrashed(name: NodeName): boolean {
    return this.crashed[this.index(name)] === true
  }

  liveNames(): readonly NodeName[] {
    return this.names.filter((_, i) => !this.crashed[i])
  }

  crash(name: NodeName): void {
    this.crashed[this.index(name)] = true
  }

  /** The node's process starts again: a fresh state with a later epoch, as after a restart. */
  restart(name: NodeName): void {
    const i = this.index(name)
    const wasDown = this.crashed[i] === true
    this.crashed[i] = false
    const run = (this.runs[i] ?? 0) + 1
    this.runs[i] = run
    const self = this.members[i] as Member
    const seed = (this.seed * 7919 + i + run * 104_729) >>> 0
    this.states[i] = initialState({ config: this.config, self, members: this.members, epoch: 1_000_000 + i + run * 100_000, seed, now: this.clock })
    if (wasDown) this.scheduleTick(i, this.clock + this.random(this.tickMs))
  }

  /** The process stops running until `ms` from now; what arrives meanwhile waits (a GC pause). */
  stall(name: NodeName, ms: number): void {
    this.pausedUntil[this.index(name)] = this.clock + ms
  }

  /** groups[i] lists the nodes on side i; the rest form one more side. */
  partition(groups: ReadonlyArray<readonly NodeName[]>): void {
    this.group.fill(0)
    groups.forEach((g, k) => g.forEach((n) => (this.group[this.index(n)] = k + 1)))
  }

  heal(): void {
    this.group.fill(0)
  }

  setLoss(p: number): void {
    this.loss = p
  }

  /** Feeds an event to a node now, outside the network (graceful leave, universe changes). */
  apply(name: NodeName, event: Event): readonly Action[] {
    return this.run(this.index(name), event)
  }

  /** Delivers a message as if it came over the network from `from`. */
  inject(to: NodeName, from: Endpoint, message: Message): readonly Action[] {
    return this.run(this.index(to), { _tag: 'MessageReceived', from, message })
  }

  runUntil(t: number): void {
    for (let guard = 0; guard < 100_000_000; guard++) {
      const at = this.heap.peekTime()
      if (at === undefined || at > t) break
      const top = this.heap.pop()
      if (top === undefined) break
      this.clock = top.at
      const it = top.item
      if (this.crashed[it.node]) continue
      if (it.kind === 'tick' && this.dueTicks && it.at !== this.tickAt[it.node]) continue
      const paused = this.pausedUntil[it.node] ?? 0
      if (paused > this.clock) {
        // Due mode: the late tick runs after what arrived meanwhile (the shell's setImmediate).
        if (it.kind === 'tick' && this.dueTicks) this.scheduleTick(it.node, paused + 0.001)
        else this.heap.push(paused, it)
        continue
      }
      if (it.kind === 'tick') {
        if (!this.dueTicks) this.heap.push(this.clock + this.tickMs, it)
        else this.tickAt[it.node] = Infinity
        this.ticks[it.node] = (this.ticks[it.node] ?? 0) + 1
        this.run(it.node, { _tag: 'Tick', entropy: this.random(2 ** 32) })
      } else {
        this.received[it.node] = (this.received[it.node] ?? 0) + 1
        this.remember({ at: this.clock, to: this.names[it.node] as NodeName, from: it.from, message: it.message })
        this.run(it.node, { _tag: 'MessageReceived', from: it.from, message: it.message })
      }
    }
    this.clock = Math.max(this.clock, t)
  }

  private remember(d: Delivered): void {
    if (this.capture <= 0) return
    this.captured.push(d)
    if (this.captured.length > this.capture) this.captured.shift()
  }

  private scheduleTick(i: number, at: number): void {
    if (this.dueTicks) this.tickAt[i] = at
    this.heap.push(at, { kind: 'tick', node: i, at })
  }

  private run(i: number, event: Event): readonly Action[] {
    const self = this.names[i] as NodeName
    const r = step(this.states[i] as State, event, this.clock)
    this.states[i] = r.state
    if (this.dueTicks) {
      const due = dueAt(r.state)
      // A hair late: (due + debt) - debt can round below due, and a Tick a hair early does nothing.
      const at = due === undefined ? Infinity : Math.max(this.clock, due + r.state.stallDebt + 1e-6)
      if (at !== this.tickAt[i] && at !== Infinity) this.scheduleTick(i, at)
      else if (at === Infinity) this.tickAt[i] = Infinity
    }
    for (const a of r.actions) {
      switch (a._tag) {
        case 'Send':
          this.transmit(i, a.to, a.message)
          break
        case 'MemberChanged':
          this.transitions[a.status] += 1
          if (a.status === 'Dead' || a.status === 'Left') this.deaths.push({ at: this.clock, observer: self, subject: a.name, status: a.status })
          break
        case 'MembershipChanged':
          this.changes.push({ at: this.clock, node: self, alive: a.alive })
          break
        case 'Dropped':
          break
      }
    }
    return r.actions
  }

  private transmit(from: number, to: Endpoint, message: Message): void {
    this.sent[from] = (this.sent[from] ?? 0) + 1
    const j = this.byEndpoint.get(endpointKey(to))
    if (j === undefined || this.group[from] !== this.group[j]) return
    if (this.loss > 0 && this.random(1) < this.loss) return
    const [lo, hi] = this.delay
    const at = this.clock + lo + this.random(hi - lo)
    const self = this.members[from] as Member
    this.heap.push(at, { kind: 'deliver', node: j, from: self.address, message: this.wire ? this.roundTrip(message) : message })
  }

  private roundTrip(m: Message): Message {
    const d = decode(encode({ message: m, tag: new Uint8Array(32) }), 0)
    if (E.isLeft(d)) throw new Error(`codec failed on ${m.body._tag}: ${JSON.stringify(d.left)}`)
    return d.right.value.packet.message
  }

  /** A uniform number in [0, scale). */
  private random(scale: number): number {
    const [r, x] = next(this.rng)
    this.rng = r
    return (x / 2 ** 32) * scale
  }

  /** A uniform integer in [0, n), for tests that pick victims. */
  pick(n: number): number {
    const [r, k] = below(this.rng, n)
    this.rng = r
    return k
  }
}
