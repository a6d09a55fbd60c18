// IPAddressPool (metallb.io/v1beta1): the schema from the codec, MetalLB's defaults, printer columns
// and status counters, and CEL for each address entry (syntax, ranges in order). Overlaps, within
// a pool and between pools, cost more than the API server lets a CRD rule spend (every pair of up to
// 1,024 entries) or need other objects: the webhook and the controller check those
// (core/config/pools.ts).
import { IP_ADDRESS_POOL_DEFAULTS, ipAddressPoolCodec, ipAddressPoolDescriptions } from '../../config/ipAddressPoolCodec.js'
import { ipAddressPoolStatusCodec, ipAddressPoolStatusDescriptions } from '../../config/statusCodecs.js'
import { IS_POOL_ENTRY, IS_POOL_RANGE, POOL_RANGE_IN_ORDER } from '../cel.js'
import { type KindDef, withStatus } from '../crd.js'
import { type Overlays, describe, mergeOverlays, under } from '../openApi.js'
import { selectorListOverlays } from '../selectors.js'

/**
 * The longest entry: two full IPv6 addresses and a dash are 79 characters; the rest is room for
 * spaces. Bounding it (and the list) keeps the per-entry rule within the API server's CEL budget.
 */
const MAX_ADDRESS_ENTRY_LENGTH = 128
const MAX_ADDRESS_ENTRIES = 1024

const overlays: Overlays = mergeOverlays(
  describe(ipAddressPoolDescriptions),
  under('status', describe(ipAddressPoolStatusDescriptions)),
  {
    spec: { description: 'Which addresses the pool holds and which Services may have them.' },
    status: { description: 'How many of the pool\'s addresses are in use, kept up to date by the controller.' },
    'spec.addresses': { minItems: 1, maxItems: MAX_ADDRESS_ENTRIES },
    'spec.addresses[]': {
      maxLength: MAX_ADDRESS_ENTRY_LENGTH,
      rules: [
        {
          rule: IS_POOL_ENTRY,
          message:
            'each addresses entry must be a CIDR ("192.0.2.0/24") or a range of two addresses of one family ("192.0.2.10-192.0.2.20")',
        },
        {
          rule: `!(${IS_POOL_RANGE}) || ${POOL_RANGE_IN_ORDER}`,
          messageExpression: `'range "' + self + '" runs backwards: its first address comes after its last'`,
        },
      ],
    },
    // The API server refuses a namespace listed twice ("Duplicate value"), as MetalLB's webhook does.
    'spec.serviceAllocation.namespaces': { listType: 'set' },
    'spec.autoAssign': { default: IP_ADDRESS_POOL_DEFAULTS.autoAssign },
    'spec.avoidBuggyIPs': { default: IP_ADDRESS_POOL_DEFAULTS.avoidBuggyIPs },
    // spec.serviceAllocation.priority gets no bounds and no default: MetalLB takes any Go int.
    'status.assignedIPv4': { format: 'int64' },
    'status.assignedIPv6': { format: 'int64' },
    'status.availableIPv4': { format: 'int64' },
    'status.availableIPv6': { format: 'int64' },
  },
  selectorListOverlays('spec.serviceAllocation.namespaceSelectors'),
  selectorListOverlays('spec.serviceAllocation.serviceSelectors'),
)

export const ipAddressPoolKind: KindDef<'IPAddressPool'> = {
  kind: 'IPAddressPool',
  plural: 'ipaddresspools',
  description: 'A pool of addresses IronLB may give to LoadBalancer Services.',
  versions: [
    {
      name: 'v1beta1',
      served: true,
      storage: true,
      codec: withStatus(ipAddressPoolCodec, ipAddressPoolStatusCodec),
      overlays,
      statusSubresource: true,
      printerColumns: [
        { name: 'Auto Assign', type: 'boolean', jsonPath: '.spec.autoAssign' },
        { name: 'Avoid Buggy IPs', type: 'boolean', jsonPath: '.spec.avoidBuggyIPs' },
        { name: 'Addresses', type: 'string', jsonPath: '.spec.addresses' },
      ],
    },
  ],
}
