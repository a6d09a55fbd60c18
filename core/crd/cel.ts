// CEL building blocks shared by the kinds' rules (x-kubernetes-validations). The API server runs
// them on every create and update, which is how IronLB rejects what MetalLB's validating webhook
// rejects without running a webhook. They use the Kubernetes CEL libraries as the 1.36 API server of
// the integration specs offers them to CRDs: the strings extension (trim, split), isIP/ip() and
// isCIDR, and CEL's own duration(). cel.bind is not offered to CRD rules, so repeated work is
// avoided with regular expressions instead.
//
// The rules accept whatever the controller's checks (core/config) accept, with two exceptions kept
// on purpose: size bounds (maxItems, maxLength) that keep the rules within the API server's cost
// budget, and a BGPAdvertisement community that has community shape but a bad number, which the
// controller would still take if a Community alias had that very name. The controller stays the
// authority and reports what CEL cannot see (other objects, label syntax, duplicates).

/** A CEL string literal (single quotes), for field names and texts spliced into a rule. */
export const celString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

/**
 * Go's time.ParseDuration syntax, as metav1.Duration fields are written ("90s", "1m30s", "1.5h"):
 * what core/config/duration.ts accepts. RE2, as CEL's matches() uses.
 */
export const GO_DURATION_RE = '^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$'

/** True when `expr` (a CEL string) reads as a Go duration, so duration(expr) will not fail. */
export const isDuration = (expr: string): string => `${expr}.matches(${celString(GO_DURATION_RE)})`

/**
 * A rule on a duration field that only speaks about well-formed text: badly formed text is
 * reported once, by the syntax rule, instead of once per rule as a CEL evaluation error.
 */
export const whenDuration = (expr: string, condition: string): string => `!${isDuration(expr)} || (${condition})`

/** `has(self.f) && self.f != zero`: the field is set to something other than its empty value. */
export const isSet = (field: string, zero: '0' | "''" | 'false'): string => `(has(self.${field}) && self.${field} != ${zero})`

/** No carriage return or line feed: FRR's configuration is line based. */
export const NO_LINE_BREAKS = "!self.contains('\\n') && !self.contains('\\r')"

/** An IP address as core/net/address.ts parses it, after trimming the spaces MetalLB tolerates. */
export const IS_IP = 'isIP(self.trim())'

/** A pool entry: a CIDR, or two addresses of one family joined by "-" (spaces allowed around it). */
export const IS_POOL_ENTRY = [
  "self.trim().contains('/')",
  '? isCIDR(self.trim())',
  ": self.split('-').size() == 2",
  "&& isIP(self.split('-')[0].trim()) && isIP(self.split('-')[1].trim())",
  "&& ip(self.split('-')[0].trim()).family() == ip(self.split('-')[1].trim()).family()",
].join(' ')

/**
 * An RE2 pattern (no anchors) for the decimal numbers from 0 to `max`, leading zeros allowed as
 * core/config/communityValue.ts allows them. Built digit by digit from `max`: any shorter number,
 * then for each position a smaller digit followed by anything, then `max` itself. One match
 * replaces split() and int() per field, which CEL's cost estimate charges for every field.
 */
export const decimalAtMost = (max: number): string => {
  const digits = String(max)
  const alternatives: string[] = []
  if (digits.length > 1) alternatives.push(`[0-9]{1,${digits.length - 1}}`)
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[i])
    const low = i === 0 && digits.length > 1 ? 1 : 0
    if (d - 1 < low) continue
    const rest = digits.length - i - 1
    const range = d - 1 === low ? `${low}` : `[${low}-${d - 1}]`
    alternatives.push(`${digits.slice(0, i)}${range}${rest === 0 ? '' : rest === 1 ? '[0-9]' : `[0-9]{${rest}}`}`)
  }
  alternatives.push(digits)
  return `0*(${alternatives.join('|')})`
}

const U16 = decimalAtMost(0xffff)
const U32 = decimalAtMost(0xffffffff)

/** "65000:100" (RFC 1997: two numbers up to 65535) or "large:65000:1:2" (RFC 8092: three up to 4294967295). */
export const COMMUNITY_RE = `^(${U16}:${U16}|large:${U32}:${U32}:${U32})$`

/** Two or four ":"-separated fields: text meant as a community. Other text may name an alias. */
export const COMMUNITY_SHAPED_RE = '^[^:]*:[^:]*(:[^:]*:[^:]*)?$'

// The two halves of a range entry, as IS_POOL_ENTRY reads them.
const RANGE_FIRST = "self.split('-')[0].trim()"
const RANGE_LAST = "self.split('-')[1].trim()"

/** True for a well-formed range entry (not a CIDR): what the ordering rule speaks about. */
export const IS_POOL_RANGE = [
  "!self.trim().contains('/') && self.split('-').size() == 2",
  `&& isIP(${RANGE_FIRST}) && isIP(${RANGE_LAST})`,
  `&& ip(${RANGE_FIRST}).family() == ip(${RANGE_LAST}).family()`,
].join(' ')

const prefixOf = (addr: string, bits: number): string => `cidr(${addr} + '/${bits}')`

/**
 * A binary search, unrolled into nested conditionals, for the longest prefix of the first address
 * that still holds the last (containment shrinks as the prefix grows); at that length `l` the range
 * is in order when the addresses are equal (l = width) or the last has a 1 in bit l + 1. CEL has no
 * loops worth their cost and no variables, so the search is written out: about log2(width) steps
 * are evaluated, which keeps the rule cheap on a thousand entries.
 */
const inOrderWithin = (lo: number, hi: number, width: number): string => {
  if (lo === hi)
    // The last is in the upper half of its /lo block when its /lo+1 block misses the block's start.
    return lo === width ? 'true' : `!${prefixOf(RANGE_LAST, lo + 1)}.containsIP(${prefixOf(RANGE_LAST, lo)}.masked().ip())`
  const mid = Math.ceil((lo + hi) / 2)
  return `(${prefixOf(RANGE_FIRST, mid)}.containsIP(${RANGE_LAST}) ? ${inOrderWithin(mid, hi, width)} : ${inOrderWithin(lo, mid - 1, width)})`
}

/**
 * The first address of a range is not after the last. The Kubernetes IP library has no ordering;
 * prefixes give one (see inOrderWithin).
 */
export const POOL_RANGE_IN_ORDER = `(ip(${RANGE_FIRST}).family() == 4 ? ${inOrderWithin(0, 32, 32)} : ${inOrderWithin(0, 128, 128)})`

/**
 * Kubernetes label syntax (apimachinery IsQualifiedName, IsValidLabelValue), as
 * core/config/selector.ts checks it: a key is an optional DNS-subdomain prefix and "/", then a name
 * of 1-63 characters; a value is empty or a name. The prefix's 253-character bound is left to the
 * controller and the webhook.
 */
export const LABEL_KEY_RE =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$'
export const LABEL_VALUE_RE = '^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$'
/** The longest key: a 253-character prefix, "/", a 63-character name. */
export const MAX_LABEL_KEY = 317
export const MAX_LABEL_VALUE = 63
