// Community objects to one alias table. MetalLB (communitiesFromCrs) parses every alias value and
// refuses an alias name defined twice, in one object or across objects. An alias value must be a
// community itself: aliases do not refer to other aliases.
import { absurd } from '../fp/absurd.js'
import type { BGPCommunity } from '../model/community.js'
import { parseCommunity } from './communityValue.js'
import type { CommunityWire } from './communityCodec.js'
import { type Report, byText } from './issues.js'

interface CommunitySource {
  readonly wire: CommunityWire
  readonly report: Report
}

export interface AliasTable {
  /** Aliases with a valid value, keyed by alias name, in name order. */
  readonly values: ReadonlyMap<string, BGPCommunity>
  /** Every alias name defined, valid or not: a reference to a broken alias is not reported again. */
  readonly defined: ReadonlySet<string>
}

/** Aliases from every Community object. */
export const aliasesFrom = (sources: readonly CommunitySource[]): AliasTable => {
  const found = new Map<string, BGPCommunity>()
  // Objects in name order, so which duplicate is reported does not depend on input order.
  const ordered = [...sources].sort((a, b) => byText(a.wire.metadata.name, b.wire.metadata.name))
  const definedIn = new Map<string, string>()
  for (const { wire, report } of ordered) {
    ;(wire.spec?.communities ?? []).forEach((alias, i) => {
      const path = `spec.communities[${i}]`
      const name = alias.name ?? ''
      const parsed = parseCommunity(alias.value ?? '')
      switch (parsed._tag) {
        case 'Community':
          break
        case 'NotCommunitySyntax':
          report(
            `${path}.value`,
            `${JSON.stringify(alias.value ?? '')} is not a community: write "65000:100" or "large:65000:1:2"`,
          )
          break
        case 'BadValue':
          report(`${path}.value`, parsed.message)
          break
        default:
          absurd(parsed)
      }
      const earlier = definedIn.get(name)
      if (earlier !== undefined) {
        const where = earlier === wire.metadata.name ? 'earlier in this object' : `in Community "${earlier}"`
        report(`${path}.name`, `alias ${JSON.stringify(name)} is already defined ${where}`)
        return
      }
      definedIn.set(name, wire.metadata.name)
      if (parsed._tag === 'Community') found.set(name, parsed.value)
    })
  }
  return { values: new Map([...found.entries()].sort(([a], [b]) => byText(a, b))), defined: new Set(definedIn.keys()) }
}
