import t from 'tap'
import fc from 'fast-check'
import { absurd } from '../../../core/fp/absurd.js'
import { ipRequestFrom, pinnedPoolFrom, sharingKeyFrom } from '../../../core/cluster/ipRequest.js'
import type { IPRequest } from '../../../core/model/service.js'
import { formatIP } from '../../../core/net/address.js'

const show = (r: IPRequest): string => {
  switch (r._tag) {
    case 'Any':
      return 'Any'
    case 'Specific':
      return `Specific ${r.ips.map(formatIP).join(',')}`
    case 'Invalid':
      return `Invalid: ${r.message}`
    default:
      return absurd(r)
  }
}

const rows: ReadonlyArray<{ desc: string; in: { annotations: Record<string, string>; spec?: string }; want: string }> = [
  { desc: 'nothing asked', in: { annotations: {} }, want: 'Any' },
  { desc: 'one IPv4', in: { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.10' } }, want: 'Specific 192.0.2.10' },
  { desc: 'dual stack, spaces trimmed', in: { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.10, 2001:db8::10' } }, want: 'Specific 192.0.2.10,2001:db8::10' },
  { desc: 'deprecated key', in: { annotations: { 'metallb.universe.tf/loadBalancerIPs': '192.0.2.11' } }, want: 'Specific 192.0.2.11' },
  {
    desc: 'the stable key wins over the deprecated one',
    in: { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.10', 'metallb.universe.tf/loadBalancerIPs': '192.0.2.11' } },
    want: 'Specific 192.0.2.10',
  },
  {
    desc: 'a present but empty stable key still wins',
    in: { annotations: { 'metallb.io/loadBalancerIPs': '', 'metallb.universe.tf/loadBalancerIPs': '192.0.2.11' } },
    want: 'Any',
  },
  { desc: 'spec.loadBalancerIP', in: { annotations: {}, spec: '192.0.2.12' }, want: 'Specific 192.0.2.12' },
  { desc: 'empty spec.loadBalancerIP', in: { annotations: {}, spec: '' }, want: 'Any' },
  {
    desc: 'annotation and spec together',
    in: { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.10' }, spec: '192.0.2.10' },
    want: 'Invalid: both the metallb.io/loadBalancerIPs annotation and spec.loadBalancerIP are set; MetalLB accepts only one of them',
  },
  {
    desc: 'deprecated annotation and spec together name the deprecated key',
    in: { annotations: { 'metallb.universe.tf/loadBalancerIPs': '192.0.2.10' }, spec: '192.0.2.10' },
    want: 'Invalid: both the metallb.universe.tf/loadBalancerIPs annotation and spec.loadBalancerIP are set; MetalLB accepts only one of them',
  },
  {
    desc: 'not an address',
    in: { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.10,fred' } },
    want: 'Invalid: metallb.io/loadBalancerIPs: "fred" is not an IP address',
  },
  {
    desc: 'a trailing comma',
    in: { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.10,' } },
    want: 'Invalid: metallb.io/loadBalancerIPs: "" is not an IP address',
  },
  {
    desc: 'two of one family',
    in: { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.10,192.0.2.11' } },
    want: 'Invalid: metallb.io/loadBalancerIPs lists 2 addresses; give at most one IPv4 and one IPv6 address',
  },
  {
    desc: 'three addresses',
    in: { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.10,2001:db8::1,192.0.2.11' } },
    want: 'Invalid: metallb.io/loadBalancerIPs lists 3 addresses; give at most one IPv4 and one IPv6 address',
  },
  { desc: 'bad spec.loadBalancerIP', in: { annotations: {}, spec: 'x' }, want: 'Invalid: spec.loadBalancerIP "x" is not an IP address' },
]

t.test('requested addresses', async (t) => {
  for (const row of rows) t.equal(show(ipRequestFrom(row.in.annotations, row.in.spec)), row.want, row.desc)
})

t.test('pool and sharing annotations', async (t) => {
  t.equal(pinnedPoolFrom({ 'metallb.io/address-pool': 'gold' }), 'gold')
  t.equal(pinnedPoolFrom({ 'metallb.universe.tf/address-pool': 'silver' }), 'silver')
  t.equal(pinnedPoolFrom({ 'metallb.io/address-pool': 'gold', 'metallb.universe.tf/address-pool': 'silver' }), 'gold')
  t.equal(pinnedPoolFrom({ 'metallb.io/address-pool': '' }), undefined, 'empty asks for nothing')
  t.equal(pinnedPoolFrom({}), undefined)
  t.equal(sharingKeyFrom({ 'metallb.io/allow-shared-ip': 'k' }), 'k')
  t.equal(sharingKeyFrom({ 'metallb.universe.tf/allow-shared-ip': 'old' }), 'old')
  t.equal(sharingKeyFrom({ 'metallb.io/allow-shared-ip': '', 'metallb.universe.tf/allow-shared-ip': 'old' }), undefined, 'present and empty wins')
})

t.test('never throws on any annotation text', async (t) => {
  fc.assert(
    fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), (value, spec) => {
      const r = ipRequestFrom({ 'metallb.io/loadBalancerIPs': value }, spec)
      return r._tag === 'Any' || r._tag === 'Invalid' || (r.ips.length >= 1 && r.ips.length <= 2)
    }),
  )
  t.pass('total')
})
