// Wire shape of Community (metallb.io/v1beta1): named aliases for BGP community values.
import * as t from 'io-ts'
import { objectWithOptionalSpecCodec } from './metaCodec.js'

const communityAliasCodec = t.partial({ name: t.string, value: t.string })

const communitySpecCodec = t.partial({ communities: t.array(communityAliasCodec) })

export const communityCodec = objectWithOptionalSpecCodec('Community', communitySpecCodec)
export type CommunityWire = t.TypeOf<typeof communityCodec>

export const communityDescriptions = {
  'spec.communities': 'Aliases that BGPAdvertisements may use in place of community values.',
  'spec.communities[].name': 'The alias. Alias names are unique across all Community objects.',
  'spec.communities[].value': 'A standard community ("65000:100") or a large one ("large:65000:1:2").',
} as const
