// The TCP MD5 password of a BGPPeer on this speaker: none, the one written in the peer, or the
// `password` key of the basic-auth Secret it names (MetalLB's passwordFromSecretForPeer: the Secret
// must exist in IronLB's namespace, be of type kubernetes.io/basic-auth and hold `password`).
// The text travels in a Redacted box that prints "[redacted]" in logs, JSON and inspect, so a plan
// or a state dumped for debugging never shows it; only the socket seam opens the box.
import * as E from 'fp-ts/lib/Either.js'
import { absurd } from '../fp/absurd.js'
import type { PeerPassword } from '../model/bgpPeer.js'

const REDACTED = '[redacted]'
const texts = new WeakMap<Redacted, string>()

/** A secret text that never prints itself. */
export class Redacted {
  private constructor() {}
  static of(text: string): Redacted {
    const r = new Redacted()
    texts.set(r, text)
    return r
  }
  /** The text, for the one place that needs it (the socket). */
  reveal(): string {
    return texts.get(this) ?? ''
  }
  toString(): string {
    return REDACTED
  }
  toJSON(): string {
    return REDACTED
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED
  }
}

export type PasswordRefusal = 'SecretMissing' | 'SecretWrongType' | 'SecretNoPassword' | 'PasswordTooLong'

/** TCP_MD5SIG_MAXKEYLEN: Linux takes keys of at most 80 bytes (FRR refuses longer ones too). */
const MAX_PASSWORD_BYTES = 80

const boxed = (text: string): E.Either<PasswordRefusal, Redacted> =>
  new TextEncoder().encode(text).length > MAX_PASSWORD_BYTES ? E.left('PasswordTooLong') : E.right(Redacted.of(text))

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

const findSecret = (secrets: readonly unknown[], name: string, namespace: string): Record<string, unknown> | undefined =>
  secrets.find((s): s is Record<string, unknown> => isRecord(s) && isRecord(s['metadata']) && s['metadata']['name'] === name && (s['metadata']['namespace'] ?? namespace) === namespace)

/** Secret data is base64 (the API's encoding); a key the API server accepted always decodes. */
const fromData = (value: string): string => Buffer.from(value, 'base64').toString('utf8')

/** Undefined: no password. The Secret is read from `namespace`, IronLB's, as MetalLB does. */
export const passwordOf = (p: PeerPassword, secrets: readonly unknown[], namespace: string): E.Either<PasswordRefusal, Redacted | undefined> => {
  switch (p._tag) {
    case 'None':
      return E.right(undefined)
    case 'Inline':
      return boxed(p.password)
    case 'Secret': {
      const s = findSecret(secrets, p.name, namespace)
      if (s === undefined) return E.left('SecretMissing')
      if (s['type'] !== 'kubernetes.io/basic-auth') return E.left('SecretWrongType')
      const data = s['data']
      const value = isRecord(data) ? data['password'] : undefined
      if (typeof value !== 'string' || value === '') return E.left('SecretNoPassword')
      return boxed(fromData(value))
    }
    default:
      return absurd(p)
  }
}
