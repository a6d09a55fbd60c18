// L2Advertisement (metallb.io/v1beta1): only selector rules can be checked on the object alone; pool
// names are resolved against the pools by the controller.
import { l2AdvertisementCodec, l2AdvertisementDescriptions } from '../../config/l2AdvertisementCodec.js'
import { type KindDef, withStatus } from '../crd.js'
import { describe, mergeOverlays } from '../openApi.js'
import { selectorListOverlays } from '../selectors.js'

export const l2AdvertisementKind: KindDef = {
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
        { spec: { description: 'Which pools to announce, from which nodes and interfaces.' } },
        selectorListOverlays('spec.ipAddressPoolSelectors'),
        selectorListOverlays('spec.nodeSelectors'),
        selectorListOverlays('spec.serviceSelectors'),
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
