// How validators report: every problem is tied to the object it was found in and a field path, and
// validators keep going after one, so a user sees every problem of a config in one pass.
import type { ConfigError } from '../model/config.js'

export interface Origin {
  readonly kind: string
  readonly namespace: string
  readonly name: string
}

/** Records one problem at `field` of the object the reporter was made for. */
export type Report = (field: string, message: string) => void

export const reporterFor =
  (origin: Origin, into: ConfigError[]): Report =>
  (field, message) => {
    into.push({ kind: origin.kind, namespace: origin.namespace, name: origin.name, field, message })
  }

/** Reports every repeated entry of a list (after the first) as a duplicate. */
export const reportDuplicates = (
  items: readonly string[],
  path: string,
  what: string,
  report: Report,
  keyOf: (s: string) => string = (s) => s,
): void => {
  const seen = new Set<string>()
  items.forEach((item, i) => {
    const key = keyOf(item)
    if (seen.has(key)) report(`${path}[${i}]`, `${what} ${JSON.stringify(item)} is listed twice`)
    seen.add(key)
  })
}

export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
