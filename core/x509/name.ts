// Distinguished names (RFC 5280 §4.1.2.4) of the two attributes IronLB's certificates carry: an
// organization (optional) and a common name, each a UTF8String, most significant first.
import { derOid, derUtf8String, sequence, setOf, type Bytes } from './der.js'
import { OID } from './oid.js'

export interface DistinguishedName {
  readonly commonName: string
  readonly organization?: string
}

/** ub-common-name and ub-organization-name (RFC 5280 Appendix A.1). */
const NAME_ATTRIBUTE_MAX = 64

const attribute = (oid: readonly number[], value: string): Bytes => setOf([sequence([derOid(oid), derUtf8String(value)])])

export const derName = (name: DistinguishedName): Bytes =>
  sequence([
    ...(name.organization === undefined ? [] : [attribute(OID.organizationName, name.organization)]),
    attribute(OID.commonName, name.commonName),
  ])

/** What is wrong with a name, by field suffix; empty when it can be encoded as RFC 5280 bounds it. */
export const nameProblems = (name: DistinguishedName): ReadonlyArray<{ readonly field: string; readonly message: string }> => {
  const check = (field: string, value: string | undefined): ReadonlyArray<{ field: string; message: string }> =>
    value === undefined
      ? []
      : value.length === 0 || [...value].length > NAME_ATTRIBUTE_MAX
        ? [{ field, message: `must be 1 to ${NAME_ATTRIBUTE_MAX} characters, got ${[...value].length}` }]
        : []
  return [...check('commonName', name.commonName), ...check('organization', name.organization)]
}
