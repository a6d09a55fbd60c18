// Community (metallb.io/v1beta1): each alias value must be a community and each name defined once in
// the object (CEL). That an alias name is defined once across all Community objects needs every
// object, so the webhook and the controller check it (core/config/communities.ts).
import { communityCodec, communityDescriptions } from '../../config/communityCodec.js'
import { COMMUNITY_RE, celString } from '../cel.js'
import { type KindDef, withStatus } from '../crd.js'
import { describe, mergeOverlays } from '../openApi.js'

/** Bounds that keep the per-alias rule within the API server's CEL budget. */
/** Bounded for the duplicate-name rule, which compares every pair: 256 aliases in one object is plenty. */
const MAX_ALIASES = 256
const MAX_COMMUNITY_TEXT = 64

export const communityKind: KindDef<'Community'> = {
  kind: 'Community',
  plural: 'communities',
  description: 'Names for BGP community values, which BGPAdvertisements may use instead of the values.',
  versions: [
    {
      name: 'v1beta1',
      served: true,
      storage: true,
      codec: withStatus(communityCodec),
      overlays: mergeOverlays(describe(communityDescriptions), {
        spec: { description: 'The aliases.' },
        'spec.communities': {
          maxItems: MAX_ALIASES,
          rules: [
            {
              // Every named alias has exactly one entry with its name: itself. Across objects the
              // webhook and the controller check it.
              rule: 'self.all(a, !has(a.name) || self.exists_one(b, has(b.name) && b.name == a.name))',
              message: 'an alias name is defined twice in communities: each name may be defined once',
            },
          ],
        },
        'spec.communities[].name': { maxLength: MAX_COMMUNITY_TEXT },
        'spec.communities[]': {
          rules: [
            {
              rule: `has(self.value) && self.value.matches(${celString(COMMUNITY_RE)})`,
              fieldPath: '.value',
              message: 'value must be a community: "65000:100" (two numbers up to 65535) or "large:65000:1:2" (three numbers up to 4294967295)',
            },
          ],
        },
        'spec.communities[].value': { maxLength: MAX_COMMUNITY_TEXT },
      }),
      statusSubresource: true,
      printerColumns: [],
    },
  ],
}
