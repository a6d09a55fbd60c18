// Whether a decoded YAML value is a Kubernetes object at all: a mapping with a string apiVersion and
// kind, as the API server and `kubectl apply` require. Anything else (a scalar, a list, binary
// garbage read as one long string) is unreadable input, said as such, never "an ignored kind".

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x)

const whatIs = (x: unknown): string => {
  if (x === null || x === undefined) return 'empty'
  if (Array.isArray(x)) return 'a list'
  if (typeof x === 'string') return 'a string'
  if (typeof x === 'number' || typeof x === 'bigint') return 'a number'
  if (typeof x === 'boolean') return 'a boolean'
  if (x instanceof Date) return 'a timestamp'
  if (x instanceof Uint8Array) return 'binary data'
  return 'a mapping'
}

const nameOf = (x: Record<string, unknown>): string => {
  const meta = x['metadata']
  const name = isRecord(meta) ? meta['name'] : undefined
  return typeof name === 'string' && name !== '' ? name : '(no name)'
}

/** Why `value` is not a Kubernetes object, or undefined when it is one. */
export const objectProblem = (value: unknown): string | undefined => {
  if (!isRecord(value) || value instanceof Date || value instanceof Uint8Array || value instanceof Map || value instanceof Set)
    return `${whatIs(value)}, not a Kubernetes object (a mapping with apiVersion and kind)`
  const apiVersion = value['apiVersion']
  const kind = value['kind']
  const missing: string[] = []
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') missing.push('apiVersion')
  if (kind === undefined || kind === null || kind === '') missing.push('kind')
  const what = `${typeof kind === 'string' && kind !== '' ? kind : 'object'} ${nameOf(value)}`
  if (missing.length > 0) return `${what} has no ${missing.join(' and no ')}`
  if (typeof apiVersion !== 'string') return `${what}: apiVersion is ${whatIs(apiVersion)}, not a string`
  if (typeof kind !== 'string') return `${what}: kind is ${whatIs(kind)}, not a string`
  return undefined
}

/** `kind: List` and typed lists (`ServiceList`) as kubectl prints them carry their objects in `items`. */
export const isList = (x: unknown): x is { readonly items: readonly unknown[] } =>
  isRecord(x) && typeof x['kind'] === 'string' && x['kind'].endsWith('List') && Array.isArray(x['items'])
