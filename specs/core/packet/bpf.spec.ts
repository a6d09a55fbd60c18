import t from 'tap'
import fc from 'fast-check'
import { neighborSolicitationFilter, type BpfInstruction } from '../../../core/packet/bpf.js'
import { bytes, mkArpFrame, mkNdpFrame } from './build.js'
import { captures } from './captures.js'

/**
 * Just enough of classic BPF to run the filter (linux/filter.h semantics): absolute byte and
 * half-word loads, jump-if-equal and return. A load past the end of the packet returns 0, as in
 * the kernel. Anything else fails the spec, so a new opcode cannot slip in untested.
 */
const run = (prog: readonly BpfInstruction[], pkt: Uint8Array): number => {
  let a = 0
  for (let pc = 0, steps = 0; pc < prog.length && steps < 1000; pc++, steps++) {
    const ins = prog[pc] as BpfInstruction
    switch (ins.code) {
      case 0x28:
        if (ins.k + 2 > pkt.length) return 0
        a = ((pkt[ins.k] ?? 0) << 8) | (pkt[ins.k + 1] ?? 0)
        break
      case 0x30:
        if (ins.k + 1 > pkt.length) return 0
        a = pkt[ins.k] ?? 0
        break
      case 0x15:
        pc += a === ins.k ? ins.jt : ins.jf
        break
      case 0x06:
        return ins.k
      default:
        throw new Error(`opcode ${ins.code} not modelled`)
    }
  }
  throw new Error('fell off the end of the program')
}

t.test('passes Neighbor Solicitations only', async (t) => {
  t.ok(run(neighborSolicitationFilter, bytes(captures.nsFor10)) > 0, 'NS')
  t.ok(run(neighborSolicitationFilter, bytes(captures.dadProbe)) > 0, 'DAD NS (the responder drops it with a reason)')
  t.equal(run(neighborSolicitationFilter, bytes(captures.naFrom20)), 0, 'NA')
  t.equal(run(neighborSolicitationFilter, bytes(captures.routerSolicitation)), 0, 'RS')
  t.equal(run(neighborSolicitationFilter, mkArpFrame()), 0, 'ARP')
  const udp = bytes(captures.nsFor10)
  udp[20] = 17
  t.equal(run(neighborSolicitationFilter, udp), 0, 'UDP with byte 54 = 135')
  t.equal(run(neighborSolicitationFilter, bytes('3333')), 0, 'runt')
})

t.test('agrees with a direct reading of the three fields', async (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 70 }), fc.constant(mkNdpFrame())), fc.boolean(), (raw, fix) => {
      const p = Uint8Array.from(raw)
      if (fix && p.length >= 55) {
        p[12] = 0x86
        p[13] = 0xdd
        p[20] = 58
      }
      const want = p.length >= 55 && p[12] === 0x86 && p[13] === 0xdd && p[20] === 58 && p[54] === 135
      return run(neighborSolicitationFilter, p) > 0 === want
    }),
  )
  t.pass('ok')
})
