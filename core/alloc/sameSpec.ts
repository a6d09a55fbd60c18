// Whether two versions of a Service differ only in their status IPs: the controller writing back the
// plan's own IPs produces exactly such an update, and the engine confirms it without replanning.
// Compares every field (so fields added to Service later count too), values deeply. The decoded model
// is plain data (records, arrays, strings, numbers, bigints); anything else (a Map, a class instance)
// is equal only to itself, so a comparison can miss a sameness but never invent one.
import type { Service } from '../model/service.js'

type Rec = Readonly<Record<string, unknown>>

const isPlain = (o: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(o)
  return proto === Object.prototype || proto === null
}

/** Deep equality of plain data. */
export const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false
    return true
  }
  return !Array.isArray(b) && isPlain(a) && isPlain(b) && sameFields(a as Rec, b as Rec, undefined)
}

const sameFields = (a: Rec, b: Rec, skip: string | undefined): boolean => {
  let n = 0
  for (const k in a) {
    n++
    if (k !== skip && !sameValue(a[k], b[k])) return false
  }
  for (const _ in b) n--
  return n === 0
}

export const sameExceptIngress = (a: Service, b: Service): boolean =>
  sameFields(a as unknown as Rec, b as unknown as Rec, 'ingressIPs')

export const sameService = (a: Service, b: Service): boolean => a === b || sameFields(a as unknown as Rec, b as unknown as Rec, undefined)
