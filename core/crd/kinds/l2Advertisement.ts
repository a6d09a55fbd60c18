// L2Advertisement (metallb.io/v1beta1): only selector rules and preference weights can be checked
// on the object alone; pool names are resolved against the pools by the controller.
import { PREFERENCE_WEIGHT, l2AdvertisementCodec, l2AdvertisementDescriptions } from '../../config/l2AdvertisementCodec.js'
import { type KindDef, withStatus } from '../crd.js'
import { type Overlays, describe, joinPath, mergeOverlays } from '../openApi.js'
import { MAX_SELECTORS, selectorListOverlays } from '../selectors.js'

/**
 * The overlays of one selector at `path`: those of a selector list's items, moved from `list[]` to
 * `path`. The shared module only offers lists, and a preference is a single selector.
 */
const singleSelectorOverlays = (path: string): Overlays => {
  const list = `${path}#list`
  return Object.fromEntries(
    Object.entries(selectorListOverlays(list))
      .filter(([p]) => p !== list)
      .map(([p, o]) => [joinPath(path, p.slice(`${list}[]`.length).replace(/^\./, '')), o]),
  )
}

const preferenceOverlays: Overlays = mergeOverlays(
  {
    // Bounded like the selector lists, so the API server can afford the rules inside each selector.
    'spec.preferredNodeSelectors': { maxItems: MAX_SELECTORS },
    'spec.preferredNodeSelectors[].weight': { format: 'int32', minimum: PREFERENCE_WEIGHT.min, maximum: PREFERENCE_WEIGHT.max },
  },
  singleSelectorOverlays('spec.preferredNodeSelectors[].preference'),
)

export const l2AdvertisementKind: KindDef<'L2Advertisement'> = {
  kind: 'L2Advertisement',
  plural: 'l2advertisements',
  description: 'Announces the addresses of some pools in layer 2 mode (ARP for IPv4, NDP for IPv6).',
  versions: [
    {
      name: 'v1beta1',
      served: true,
      storage: true,
      codec: withStatus(l2AdvertisementCodec),
      overlays: mergeOverlays(
        describe(l2AdvertisementDescriptions),
        {
          spec: { description: 'Which pools to announce, from which nodes and interfaces.' },
          // A pool listed twice is refused by the API server ("Duplicate value"), as by MetalLB's webhook.
          'spec.ipAddressPools': { listType: 'set' },
        },
        selectorListOverlays('spec.ipAddressPoolSelectors'),
        selectorListOverlays('spec.nodeSelectors'),
        selectorListOverlays('spec.serviceSelectors'),
        preferenceOverlays,
      ),
      statusSubresource: true,
      printerColumns: [
        { name: 'IPAddressPools', type: 'string', jsonPath: '.spec.ipAddressPools' },
        { name: 'IPAddressPool Selectors', type: 'string', jsonPath: '.spec.ipAddressPoolSelectors' },
        { name: 'Interfaces', type: 'string', jsonPath: '.spec.interfaces' },
        { name: 'Node Selectors', type: 'string', jsonPath: '.spec.nodeSelectors', priority: 10 },
      ],
    },
  ],
}
