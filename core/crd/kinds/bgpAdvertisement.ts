// BGPAdvertisement (metallb.io/v1beta1): lengths and LOCAL_PREF as schema bounds with MetalLB's
// defaults; CEL for community syntax and for aggregation with serviceSelectors. Aggregation against
// the pools' blocks, LOCAL_PREF conflicts between advertisements, alias names, pool and peer names,
// and BFD echo with IPv6 pools all need other objects: the controller checks those.
import {
  AGGREGATION_LENGTH,
  AGGREGATION_LENGTH_V6,
  AS_PATH_PREPEND,
  LOCAL_PREF,
  bgpAdvertisementCodec,
  bgpAdvertisementDescriptions,
} from '../../config/bgpAdvertisementCodec.js'
import { COMMUNITY_RE, COMMUNITY_SHAPED_RE, celString } from '../cel.js'
import { type KindDef, withStatus } from '../crd.js'
import { type Overlays, type ValidationRule, describe, mergeOverlays } from '../openApi.js'
import { selectorListOverlays } from '../selectors.js'

/** Bounds that keep the per-community rule within the API server's CEL budget. */
const MAX_COMMUNITIES = 256
const MAX_COMMUNITY_TEXT = 128

/** With serviceSelectors a length must stay at its default: aggregating would announce other Services' addresses. */
const keepsDefault = (field: string, fallback: number): ValidationRule => ({
  rule: `!has(self.serviceSelectors) || size(self.serviceSelectors) == 0 || !has(self.${field}) || self.${field} == ${fallback}`,
  fieldPath: `.${field}`,
  message: `${field} must stay ${fallback} (no aggregation) when serviceSelectors are set`,
})

const overlays: Overlays = mergeOverlays(
  describe(bgpAdvertisementDescriptions),
  {
    spec: {
      description: 'Which pools to announce over BGP, to which peers, from which nodes, with which attributes.',
      rules: [keepsDefault('aggregationLength', AGGREGATION_LENGTH.default), keepsDefault('aggregationLengthV6', AGGREGATION_LENGTH_V6.default)],
    },
    // format as MetalLB declares it, except localPref: a uint32 that MetalLB marks int32, which the
    // Kubernetes 1.36 API server refuses with a maximum above 2^31 - 1 (see kinds/bgpPeerRules.ts).
    'spec.aggregationLength': {
      format: 'int32',
      minimum: AGGREGATION_LENGTH.min,
      maximum: AGGREGATION_LENGTH.max,
      default: AGGREGATION_LENGTH.default,
    },
    'spec.aggregationLengthV6': {
      format: 'int32',
      minimum: AGGREGATION_LENGTH_V6.min,
      maximum: AGGREGATION_LENGTH_V6.max,
      default: AGGREGATION_LENGTH_V6.default,
    },
    'spec.localPref': { format: 'int64', minimum: LOCAL_PREF.min, maximum: LOCAL_PREF.max },
    // As MetalLB v0.16.2 declares it: an integer from 1 to 10, no format.
    'spec.asPathPrepend': { minimum: AS_PATH_PREPEND.min, maximum: AS_PATH_PREPEND.max },
    // A pool, peer or community listed twice is refused by the API server ("Duplicate value").
    'spec.ipAddressPools': { listType: 'set' },
    'spec.peers': { listType: 'set' },
    'spec.communities': { maxItems: MAX_COMMUNITIES, listType: 'set' },
    'spec.communities[]': {
      maxLength: MAX_COMMUNITY_TEXT,
      rules: [
        {
          // Text of another shape may name a Community alias, which only the controller can resolve.
          rule: `!self.matches(${celString(COMMUNITY_SHAPED_RE)}) || self.matches(${celString(COMMUNITY_RE)})`,
          message:
            'each communities entry must be a community, "65000:100" (two numbers up to 65535) or "large:65000:1:2" (three numbers up to 4294967295), or the name of an alias',
        },
      ],
    },
  },
  selectorListOverlays('spec.ipAddressPoolSelectors'),
  selectorListOverlays('spec.nodeSelectors'),
  selectorListOverlays('spec.serviceSelectors'),
)

export const bgpAdvertisementKind: KindDef<'BGPAdvertisement'> = {
  kind: 'BGPAdvertisement',
  plural: 'bgpadvertisements',
  description: 'Announces the addresses of some pools over BGP, and with which BGP attributes.',
  versions: [
    {
      name: 'v1beta1',
      served: true,
      storage: true,
      codec: withStatus(bgpAdvertisementCodec),
      overlays,
      statusSubresource: true,
      printerColumns: [
        { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
        { name: 'IPAddressPool Selectors', type: 'string', jsonPath: '.spec.ipAddressPoolSelectors' },
        { name: 'Peers', type: 'string', jsonPath: '.spec.peers' },
        { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
      ],
    },
  ],
}
