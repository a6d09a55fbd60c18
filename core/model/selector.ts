// Kubernetes label selectors (metav1.LabelSelector) after validation, and how they match.
export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'

export interface SelectorRequirement {
  readonly key: string
  readonly operator: SelectorOperator
  readonly values: readonly string[]
}

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>
  readonly matchExpressions: readonly SelectorRequirement[]
}

export type Labels = Readonly<Record<string, string>>

const requirementMatches = (r: SelectorRequirement, labels: Labels): boolean => {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key)
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(labels[r.key] ?? '')
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key] ?? '')
    case 'Exists':
      return has
    case 'DoesNotExist':
      return !has
  }
}

/** An empty selector matches everything, as in Kubernetes. */
export const selectorMatches = (s: LabelSelector, labels: Labels): boolean =>
  Object.entries(s.matchLabels).every(([k, v]) => Object.prototype.hasOwnProperty.call(labels, k) && labels[k] === v) &&
  s.matchExpressions.every((r) => requirementMatches(r, labels))

/** A list of selectors matches when any one does; an empty list matches nothing on its own. */
export const anySelectorMatches = (ss: readonly LabelSelector[], labels: Labels): boolean =>
  ss.some((s) => selectorMatches(s, labels))
