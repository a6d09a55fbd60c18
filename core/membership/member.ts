// Who takes part in failure detection, and the small branded numbers the protocol counts with.
// The member universe (names and UDP endpoints) is decided by the shell from the last known set of
// speaker nodes; this module only checks the text at the edge so inner code can trust it.
import * as E from 'fp-ts/lib/Either.js'
import type { NodeName } from '../model/names.js'

/** A UDP endpoint. `host` is an IPv4 or IPv6 literal; the shell resolves nothing. */
export interface Endpoint {
  readonly host: string
  readonly port: number
}

export interface Member {
  readonly name: NodeName
  readonly address: Endpoint
}

declare const incarnationBrand: unique symbol
/** SWIM incarnation number: only the member itself raises its own, to refute a suspicion (u32). */
export type Incarnation = number & { readonly [incarnationBrand]: true }
export const INCARNATION_MAX = 0xffff_ffff
export const incarnation = (n: number): Incarnation => (Math.min(Math.max(0, Math.trunc(n)), INCARNATION_MAX) as Incarnation)

declare const probeIdBrand: unique symbol
/** Matches an Ack or Nack to the Ping or PingReq it answers (u32, wraps). */
export type ProbeId = number & { readonly [probeIdBrand]: true }
export const probeId = (n: number): ProbeId => ((n >>> 0) as ProbeId)

/**
 * Kubernetes node names are RFC 1123 subdomains: lower-case letters, digits, '-' and '.', at most
 * 253 characters. Holding names to that alphabet keeps the wire format ASCII and the decoder total.
 */
export const NAME_MAX = 253
const NAME_PATTERN = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/

export const isMemberName = (text: string): boolean => text.length <= NAME_MAX && NAME_PATTERN.test(text)

const memberName = (text: string): E.Either<string, NodeName> =>
  isMemberName(text) ? E.right(text as NodeName) : E.left(`not a node name: ${JSON.stringify(text.slice(0, 64))}`)

export const endpointKey = (e: Endpoint): string => (e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`)

export const member = (name: string, host: string, port: number): E.Either<string, Member> => {
  if (!Number.isInteger(port) || port < 1 || port > 65535) return E.left(`bad port ${port} for ${name}`)
  return E.map((n: NodeName): Member => ({ name: n, address: { host, port } }))(memberName(name))
}
