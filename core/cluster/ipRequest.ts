// What a Service asks of MetalLB through its annotations and spec, decided as MetalLB's controller
// decides it (controller/service.go): for each annotation the `metallb.io/` key wins over the
// deprecated `metallb.universe.tf/` one whenever it is present, even with an empty value; the
// requested-IPs annotation and `spec.loadBalancerIP` may not both be set; the annotation lists at
// most one address per family.
import * as E from 'fp-ts/lib/Either.js'
import { asPoolName, type PoolName } from '../model/names.js'
import type { IPRequest } from '../model/service.js'
import { type IP, parseIP } from '../net/address.js'

const ANNOTATION = {
  loadBalancerIPs: 'metallb.io/loadBalancerIPs',
  addressPool: 'metallb.io/address-pool',
  allowSharedIP: 'metallb.io/allow-shared-ip',
} as const

const DEPRECATED_ANNOTATION = {
  loadBalancerIPs: 'metallb.universe.tf/loadBalancerIPs',
  addressPool: 'metallb.universe.tf/address-pool',
  allowSharedIP: 'metallb.universe.tf/allow-shared-ip',
} as const

type Annotations = Readonly<Record<string, string>>

const has = (a: Annotations, key: string): boolean => Object.prototype.hasOwnProperty.call(a, key)

/** The value and the key it came from, or undefined when neither key is present. */
const annotation = (a: Annotations, which: keyof typeof ANNOTATION): { key: string; value: string } | undefined => {
  const stable = ANNOTATION[which]
  const deprecated = DEPRECATED_ANNOTATION[which]
  if (has(a, stable)) return { key: stable, value: a[stable] ?? '' }
  if (has(a, deprecated)) return { key: deprecated, value: a[deprecated] ?? '' }
  return undefined
}

const invalid = (message: string): IPRequest => ({ _tag: 'Invalid', message })

export const ipRequestFrom = (annotations: Annotations, loadBalancerIP: string | undefined): IPRequest => {
  const a = annotation(annotations, 'loadBalancerIPs')
  const fromAnnotation = a === undefined || a.value === '' ? undefined : a
  const spec = loadBalancerIP ?? ''
  if (fromAnnotation === undefined && spec === '') return { _tag: 'Any' }
  if (fromAnnotation !== undefined && spec !== '')
    return invalid(`both the ${fromAnnotation.key} annotation and spec.loadBalancerIP are set; MetalLB accepts only one of them`)
  if (fromAnnotation === undefined) {
    const ip = parseIP(spec.trim())
    return E.isLeft(ip) ? invalid(`spec.loadBalancerIP ${JSON.stringify(spec)} is not an IP address`) : { _tag: 'Specific', ips: [ip.right] }
  }
  const ips: IP[] = []
  for (const entry of fromAnnotation.value.split(',')) {
    const ip = parseIP(entry.trim())
    if (E.isLeft(ip)) return invalid(`${fromAnnotation.key}: ${JSON.stringify(entry.trim())} is not an IP address`)
    ips.push(ip.right)
  }
  const [first, second] = ips
  if (ips.length > 2 || (first !== undefined && second !== undefined && first.family === second.family))
    return invalid(`${fromAnnotation.key} lists ${ips.length} addresses; give at most one IPv4 and one IPv6 address`)
  return { _tag: 'Specific', ips }
}

/** `address-pool`: an empty value asks for nothing, as in MetalLB. */
export const pinnedPoolFrom = (annotations: Annotations): PoolName | undefined => {
  const a = annotation(annotations, 'addressPool')
  return a === undefined || a.value === '' ? undefined : asPoolName(a.value)
}

/** `allow-shared-ip`: an empty key shares with nobody, as in MetalLB. */
export const sharingKeyFrom = (annotations: Annotations): string | undefined => {
  const a = annotation(annotations, 'allowSharedIP')
  return a === undefined || a.value === '' ? undefined : a.value
}
