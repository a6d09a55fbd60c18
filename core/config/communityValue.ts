// Community text as MetalLB parses it: two fields ("65000:100", each 0..65535) make a standard
// community, four fields starting with "large" ("large:65000:1:2", each 0..4294967295) a large one.
// Any other number of fields is not community syntax at all, which is what lets a BGPAdvertisement
// name a Community alias instead; MetalLB tells the two failures apart the same way.
import type { BGPCommunity } from '../model/community.js'

type CommunityParse =
  | { readonly _tag: 'Community'; readonly value: BGPCommunity }
  /** Wrong number of fields: may be an alias name. */
  | { readonly _tag: 'NotCommunitySyntax' }
  /** Community syntax with a bad field. */
  | { readonly _tag: 'BadValue'; readonly message: string }

const DECIMAL = /^[0-9]+$/

const field = (text: string, max: number): number | undefined => {
  if (!DECIMAL.test(text)) return undefined
  const n = Number(text)
  return n <= max ? n : undefined
}

export const parseCommunity = (text: string): CommunityParse => {
  const parts = text.split(':')
  if (parts.length === 2) {
    const [a = '', b = ''] = parts
    const high = field(a, 0xffff)
    const low = field(b, 0xffff)
    if (high === undefined || low === undefined)
      return { _tag: 'BadValue', message: `"${text}" is not a community: both fields must be numbers from 0 to 65535` }
    return { _tag: 'Community', value: { _tag: 'Standard', high, low } }
  }
  if (parts.length === 4) {
    const [marker, a = '', b = '', c = ''] = parts
    if (marker !== 'large')
      return { _tag: 'BadValue', message: `"${text}" is not a community: a large community is written large:<n>:<n>:<n>` }
    const global = field(a, 0xffffffff)
    const local1 = field(b, 0xffffffff)
    const local2 = field(c, 0xffffffff)
    if (global === undefined || local1 === undefined || local2 === undefined)
      return {
        _tag: 'BadValue',
        message: `"${text}" is not a large community: each field must be a number from 0 to 4294967295`,
      }
    return { _tag: 'Community', value: { _tag: 'Large', global, local1, local2 } }
  }
  return { _tag: 'NotCommunitySyntax' }
}
