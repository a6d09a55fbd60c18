// Service created -> prefix in the lab router's RIB, shared by the BGP bench and the MetalLB side by side:
// Services one after another, each asking for its IP (metallb.io/loadBalancerIPs) from a pool of its
// own that only a BGPAdvertisement names, each timed from kubectl apply to the first path in bgpd's RIB
// and to one path per node (vtysh polled back to back).
import { frrPrefixNexthops } from '../../shell/lab/bgpView.js'
import type { Lab } from '../../shell/lab/lab.js'
import { apply, mkService, waitUntil, type Obj } from '../e2e/fixture.js'

export interface RibTimes {
  /** Per Service, ms from apply to the first path in the RIB. */
  readonly first: readonly number[]
  /** Per Service, ms from apply to a path from every node. */
  readonly all: readonly number[]
}

export const poolAndAd = (name: string, addresses: readonly string[]): Obj[] => [
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: 'metallb-system' }, spec: { addresses, autoAssign: false } },
  { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name, namespace: 'metallb-system' }, spec: { ipAddressPools: [name] } },
]

/** `count` IPv4 Services (at most 61: 203.0.113.130-190) in turn; each waited for at most 60 s. */
export const createToRib = async (lab: Lab, count: number): Promise<RibTimes> => {
  if (!(Number.isInteger(count) && count >= 1 && count <= 61)) throw new Error(`createToRib: count must be 1..61, not ${count}`)
  await apply(lab, poolAndAd('bench-bgp', ['203.0.113.130-203.0.113.190']))
  const first: number[] = []
  const all: number[] = []
  for (let i = 0; i < count; i++) {
    const ip = `203.0.113.${130 + i}`
    const prefix = `${ip}/32`
    const t0 = Date.now()
    await apply(lab, [mkService(`bench-${i}`, { pool: 'bench-bgp', annotations: { 'metallb.io/loadBalancerIPs': ip } })])
    let seen = NaN
    await waitUntil(`${prefix} from every node in the RIB`, 60_000, async () => {
      const hops = await frrPrefixNexthops(lab, prefix)
      if (hops.length > 0 && Number.isNaN(seen)) seen = Date.now() - t0
      return hops.length === lab.nodes.length
    }, 10)
    first.push(seen)
    all.push(Date.now() - t0)
  }
  return { first, all }
}
