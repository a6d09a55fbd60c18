// Label selectors from the wire (metav1.LabelSelector) to core/model/selector.ts, checked the way
// metav1.LabelSelectorAsSelector checks them (operators, values per operator, label key and value
// syntax), plus MetalLB's duplicate rules (validateLabelSelectorDuplicate in internal/config): a
// value listed twice in one expression, an expression given twice in one selector, and the same
// selector given twice in one list are all errors.
import type { LabelSelector, SelectorOperator, SelectorRequirement } from '../model/selector.js'
import { type Report, byText } from './issues.js'
import type { LabelSelectorWire } from './metaCodec.js'

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist']
const isOperator = (s: string): s is SelectorOperator => (OPERATORS as readonly string[]).includes(s)

// Kubernetes' qualified-name and label-value rules (apimachinery validation.IsQualifiedName,
// IsValidLabelValue).
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

/** Why `key` is not a valid label key, or undefined when it is. */
export const labelKeyProblem = (key: string): string | undefined => {
  const parts = key.split('/')
  if (parts.length > 2) return `label key ${JSON.stringify(key)} may contain at most one "/"`
  const name = parts[parts.length - 1] ?? ''
  const prefix = parts.length === 2 ? parts[0] : undefined
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    return `label key ${JSON.stringify(key)} has an invalid prefix: it must be a DNS subdomain such as "example.com"`
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name))
    return `label key ${JSON.stringify(key)} is invalid: the name must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`
  return undefined
}

/** Why `value` is not a valid label value, or undefined when it is. */
export const labelValueProblem = (value: string): string | undefined =>
  value === '' || (value.length <= 63 && NAME_PART.test(value))
    ? undefined
    : `label value ${JSON.stringify(value)} is invalid: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`

type RequirementWire = { readonly key: string; readonly operator: string; readonly values?: readonly string[] | undefined }

const requirementFrom = (
  wire: RequirementWire,
  path: string,
  report: Report,
): SelectorRequirement | undefined => {
  const values = wire.values ?? []
  let ok = true
  const keyProblem = labelKeyProblem(wire.key)
  if (keyProblem !== undefined) {
    report(`${path}.key`, keyProblem)
    ok = false
  }
  values.forEach((v, i) => {
    const p = labelValueProblem(v)
    if (p !== undefined) {
      report(`${path}.values[${i}]`, p)
      ok = false
    }
  })
  const seen = new Set<string>()
  values.forEach((v, i) => {
    if (seen.has(v)) {
      report(`${path}.values[${i}]`, `value ${JSON.stringify(v)} is listed twice`)
      ok = false
    }
    seen.add(v)
  })
  const op = wire.operator
  if (!isOperator(op)) {
    report(`${path}.operator`, `${JSON.stringify(op)} is not an operator: use In, NotIn, Exists or DoesNotExist`)
    return undefined
  }
  if ((op === 'In' || op === 'NotIn') && values.length === 0) {
    report(`${path}.values`, `operator ${op} needs at least one value`)
    ok = false
  }
  if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
    report(`${path}.values`, `operator ${op} takes no values`)
    ok = false
  }
  return ok ? { key: wire.key, operator: op, values } : undefined
}

const requirementKey = (r: RequirementWire): string => JSON.stringify([r.key, r.operator, [...(r.values ?? [])].sort(byText)])

/** Validates one selector; `path` names it, e.g. "spec.nodeSelectors[0]". */
export const selectorFrom = (wire: LabelSelectorWire, path: string, report: Report): LabelSelector => {
  const matchLabels = wire.matchLabels ?? {}
  for (const [k, v] of Object.entries(matchLabels)) {
    const field = `${path}.matchLabels[${JSON.stringify(k)}]`
    const keyProblem = labelKeyProblem(k)
    if (keyProblem !== undefined) report(field, keyProblem)
    const valueProblem = labelValueProblem(v)
    if (valueProblem !== undefined) report(field, valueProblem)
  }
  const requirements: SelectorRequirement[] = []
  const seen = new Set<string>()
  ;(wire.matchExpressions ?? []).forEach((e, i) => {
    const field = `${path}.matchExpressions[${i}]`
    const r = requirementFrom(e, field, report)
    if (r === undefined) return
    const key = requirementKey(r)
    if (seen.has(key)) report(field, `the same expression (${r.key} ${r.operator}) is given twice`)
    seen.add(key)
    requirements.push(r)
  })
  return { matchLabels: Object.fromEntries(Object.entries(matchLabels)), matchExpressions: requirements }
}

/** A canonical text form: equal for selectors that MetalLB counts as duplicates. */
export const selectorKey = (s: LabelSelector | LabelSelectorWire): string =>
  JSON.stringify([
    Object.entries(s.matchLabels ?? {}).sort(([a], [b]) => byText(a, b)),
    (s.matchExpressions ?? []).map(requirementKey),
  ])

/** Validates a list of selectors (`path` e.g. "spec.nodeSelectors"); a repeated selector is an error. */
export const selectorsFrom = (
  wire: readonly LabelSelectorWire[] | undefined,
  path: string,
  report: Report,
): LabelSelector[] => {
  const out: LabelSelector[] = []
  const seen = new Set<string>()
  ;(wire ?? []).forEach((w, i) => {
    const s = selectorFrom(w, `${path}[${i}]`, report)
    // Compared as written: the validated form drops invalid expressions, which made two different
    // invalid selectors look the same.
    const key = selectorKey(w)
    if (seen.has(key)) report(`${path}[${i}]`, 'the same selector is given twice in this list')
    seen.add(key)
    out.push(s)
  })
  return out
}
