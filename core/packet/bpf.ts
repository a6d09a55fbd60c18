// A classic BPF program (the kernel's SO_ATTACH_FILTER, Documentation/networking/filter.rst) that
// lets only ICMPv6 Neighbor Solicitations through to the NDP packet socket. Without it an ETH_P_IPV6
// packet socket copies every IPv6 frame on the interface to user space. Pure data: the shell hands
// it to the addon; specs run it through a small interpreter.
export interface BpfInstruction {
  readonly code: number
  readonly jt: number
  readonly jf: number
  readonly k: number
}

// Opcodes from linux/filter.h (BPF_LD|BPF_H|BPF_ABS and friends).
const LDH_ABS = 0x28
const LDB_ABS = 0x30
const JEQ_K = 0x15
const RET_K = 0x06

const op = (code: number, k: number, jt = 0, jf = 0): BpfInstruction => ({ code, jt, jf, k })

/** Accept a frame whole, or drop it (a return value is the number of bytes to keep). */
const ACCEPT = 0x40000
const REJECT = 0

/**
 * ethertype (offset 12) is IPv6, next header (14 + 6) is ICMPv6 (58), ICMPv6 type (14 + 40) is
 * Neighbor Solicitation (135). Jump offsets count instructions to skip after this one.
 */
export const neighborSolicitationFilter: readonly BpfInstruction[] = [
  op(LDH_ABS, 12),
  op(JEQ_K, 0x86dd, 0, 5),
  op(LDB_ABS, 20),
  op(JEQ_K, 58, 0, 3),
  op(LDB_ABS, 54),
  op(JEQ_K, 135, 0, 1),
  op(RET_K, ACCEPT),
  op(RET_K, REJECT),
]
