// What every plan must satisfy, whatever the input: checked on generated clusters by plan.spec.ts
// and after every step of the model-based run. Returns the problems found, in words.
import { familyNeedOf } from '../../../core/alloc/family.js'
import type { AllocationInput, AllocationPlan } from '../../../core/alloc/outcome.js'
import type { Service } from '../../../core/model/service.js'
import { type IP, formatIP } from '../../../core/net/address.js'

const avoided = (ip: IP): boolean => ip.family === 4 && (ip.value % 256n === 0n || ip.value % 256n === 255n)

const shareable = (a: Service, b: Service): boolean => {
  const backend = (s: Service) => (s.externalTrafficPolicy === 'Local' ? JSON.stringify(Object.entries(s.selector).sort()) : '')
  return (
    a.sharingKey !== undefined &&
    a.sharingKey !== '' &&
    a.sharingKey === b.sharingKey &&
    backend(a) === backend(b) &&
    !a.ports.some((p) => b.ports.some((q) => p.protocol === q.protocol && p.port === q.port))
  )
}

export const checkInvariants = (input: AllocationInput, plan: AllocationPlan): string[] => {
  const problems: string[] = []
  const services = new Map(input.services.map((s) => [s.key, s]))
  const holders = new Map<string, Service[]>()
  const inPool = new Map<string, string>()
  for (const [key, o] of plan.outcomes) {
    const s = services.get(key)
    if (s === undefined) {
      problems.push(`${key} has an outcome but is not in the input`)
      continue
    }
    const ours = s.type === 'LoadBalancer' && s.loadBalancerClass === input.loadBalancerClass
    if ((o._tag === 'Ignored') === ours) problems.push(`${key}: ${o._tag} but ours=${ours}`)
    if (o._tag !== 'Assigned') continue
    const pool = input.config.pools.get(o.pool)
    if (pool === undefined) {
      problems.push(`${key}: assigned from missing pool ${o.pool}`)
      continue
    }
    const need = familyNeedOf(s)
    const fams = o.ips.map((ip) => ip.family)
    if (need === undefined) problems.push(`${key}: assigned without a family`)
    else if (need._tag === 'Single' ? fams.join() !== String(need.family) : need.required ? fams.join() !== '4,6' : !['4', '6', '4,6'].includes(fams.join()))
      problems.push(`${key}: families ${fams.join()} for need ${JSON.stringify(need)}`)
    for (const ip of o.ips) {
      const inside = pool.ranges.some((r) => r.family === ip.family && r.first <= ip.value && ip.value <= r.last) && !(pool.avoidBuggyIPs && avoided(ip))
      if (!inside) problems.push(`${key}: ${formatIP(ip)} is not in pool ${o.pool}`)
      const text = formatIP(ip)
      holders.set(text, [...(holders.get(text) ?? []), s])
      inPool.set(`${o.pool} ${text}`, text)
    }
    if (s.request._tag === 'Specific') {
      const want = s.request.ips.map(formatIP).sort().join()
      if (o.ips.map(formatIP).sort().join() !== want) problems.push(`${key}: asked for ${want}, got ${o.ips.map(formatIP).join()}`)
    }
    if (s.pinnedPool !== undefined && s.pinnedPool !== o.pool) problems.push(`${key}: pinned to ${s.pinnedPool}, got ${o.pool}`)
  }
  for (const [ip, hs] of holders)
    for (let i = 0; i < hs.length; i++)
      for (let j = i + 1; j < hs.length; j++) {
        const a = hs[i]
        const b = hs[j]
        if (a !== undefined && b !== undefined && !shareable(a, b)) problems.push(`${ip} held by ${a.key} and ${b.key}, who may not share`)
      }
  for (const u of plan.pools) {
    const pool = input.config.pools.get(u.name)
    if (pool === undefined) {
      problems.push(`usage for missing pool ${u.name}`)
      continue
    }
    for (const f of [4, 6] as const) {
      const used = [...inPool.keys()].filter((k) => k.startsWith(`${u.name} `) && (f === 6) === k.includes(':')).length
      let size = 0
      for (const r of pool.ranges)
        if (r.family === f) for (let v = r.first; v <= r.last; v++) if (!(pool.avoidBuggyIPs && avoided({ family: f, value: v } as IP))) size++
      const [assigned, available] = f === 4 ? [u.assignedIPv4, u.availableIPv4] : [u.assignedIPv6, u.availableIPv6]
      if (assigned !== used || available !== size - used) problems.push(`${u.name} IPv${f}: reports ${assigned}/${available}, counted ${used}/${size - used}`)
    }
  }
  const names = plan.pools.map((p) => p.name)
  if (names.join() !== [...names].sort().join() || names.length !== input.config.pools.size) problems.push(`pool usage not one per pool by name: ${names.join()}`)
  return problems
}
