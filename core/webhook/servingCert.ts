// The webhook's certificates, decided purely: which names the serving certificate carries, how long
// each certificate lives, and when the shell must make new ones. The shell reads the Secret, parses
// what it holds into `StoredCertificates` (node:crypto), calls `certificatePlan` with the time, and
// carries the plan out. A long-lived authority signs short-lived serving certificates, so renewing
// the serving certificate leaves the caBundle the API server trusts unchanged.

import { absurd } from '../fp/absurd.js'

const DAY = 86_400

/** Lifetimes in seconds, and how much must be left before a certificate is replaced. */
export const LIFETIMES = {
  authority: 10 * 365 * DAY,
  serving: 365 * DAY,
  /** Replace when less than this fraction of the lifetime is left. */
  renewFraction: 1 / 3,
  /** How often the shell looks again, also when nothing changed (another replica may have renewed). */
  recheck: 3600,
} as const

export interface ServingNames {
  readonly dnsNames: readonly string[]
  readonly ipAddresses: readonly string[]
}

/**
 * The names the API server may dial: the Service by every DNS form a cluster resolves
 * (`svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<domain>`), plus any host the operator adds (an address
 * or name for a webhook reached by URL).
 */
export const servingNames = (service: string, namespace: string, clusterDomain: string, extraHosts: readonly string[]): ServingNames => {
  const isAddress = (h: string): boolean => /^[0-9.]+$/.test(h) || h.includes(':')
  const dns = [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`, ...extraHosts.filter((h) => !isAddress(h))]
  return { dnsNames: [...new Set(dns)], ipAddresses: [...new Set(extraHosts.filter(isAddress))] }
}

/** What the shell found in the Secret, in seconds since the epoch. */
export type StoredCertificates =
  | { readonly _tag: 'Missing' }
  | { readonly _tag: 'Unreadable'; readonly why: string }
  | {
      readonly _tag: 'Readable'
      readonly authority: { readonly notBefore: number; readonly notAfter: number }
      readonly serving: { readonly notBefore: number; readonly notAfter: number; readonly names: ServingNames; readonly signedByAuthority: boolean }
    }

export type CertificatePlan =
  | { readonly _tag: 'Keep'; readonly recheckAt: number }
  /** A new authority and a serving certificate signed by it. */
  | { readonly _tag: 'NewAuthority'; readonly reason: 'Missing' | 'Unreadable' | 'AuthorityExpiring' }
  /** A new serving certificate from the authority in the Secret. */
  | { readonly _tag: 'NewServing'; readonly reason: 'ServingExpiring' | 'NamesChanged' | 'NotSignedByAuthority' }

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const sa = new Set(a)
  const sb = new Set(b)
  return sa.size === sb.size && [...sa].every((x) => sb.has(x))
}

/** True when less than the renewal fraction of [notBefore, notAfter] is left at `now`. */
const isDue = (now: number, cert: { readonly notBefore: number; readonly notAfter: number }): boolean =>
  cert.notAfter - now < (cert.notAfter - cert.notBefore) * LIFETIMES.renewFraction

export const certificatePlan = (now: number, stored: StoredCertificates, want: ServingNames): CertificatePlan => {
  switch (stored._tag) {
    case 'Missing':
      return { _tag: 'NewAuthority', reason: 'Missing' }
    case 'Unreadable':
      return { _tag: 'NewAuthority', reason: 'Unreadable' }
    case 'Readable': {
      if (isDue(now, stored.authority)) return { _tag: 'NewAuthority', reason: 'AuthorityExpiring' }
      if (!stored.serving.signedByAuthority) return { _tag: 'NewServing', reason: 'NotSignedByAuthority' }
      if (!sameSet(stored.serving.names.dnsNames, want.dnsNames) || !sameSet(stored.serving.names.ipAddresses, want.ipAddresses))
        return { _tag: 'NewServing', reason: 'NamesChanged' }
      if (isDue(now, stored.serving)) return { _tag: 'NewServing', reason: 'ServingExpiring' }
      const dueAt = stored.serving.notAfter - (stored.serving.notAfter - stored.serving.notBefore) * LIFETIMES.renewFraction
      return { _tag: 'Keep', recheckAt: Math.min(now + LIFETIMES.recheck, Math.ceil(dueAt)) }
    }
    default:
      return absurd(stored)
  }
}
