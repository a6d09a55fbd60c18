// The overlay for a list of Kubernetes label selectors (metav1.LabelSelector), wherever a MetalLB
// kind has one: descriptions, the operator/values rules metav1.LabelSelectorAsSelector enforces
// (core/config/selector.ts), and bounds on the list sizes. The bounds are not MetalLB's: the API
// server refuses a CRD whose rules could cost too much on the largest possible object, and a rule
// inside lists of lists is only affordable when the lists are bounded. They are far above anything
// a real configuration holds.
import { labelSelectorDescriptions } from '../config/metaCodec.js'
import { LABEL_KEY_RE, LABEL_VALUE_RE, MAX_LABEL_KEY, MAX_LABEL_VALUE, celString } from './cel.js'
import { type Overlay, type Overlays, describe, mergeOverlays, under } from './openApi.js'

/** Most selectors in one list, and most expressions in one selector. */
export const MAX_SELECTORS = 64
const MAX_EXPRESSIONS = 64
/** Most labels in one matchLabels. */
const MAX_MATCH_LABELS = 64

const KEY_TEXT = 'a label key is an optional DNS-subdomain prefix and "/", then 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'

/**
 * A label key or value field: a schema pattern, not a CEL rule. Inside lists of lists of selectors
 * a per-item CEL rule costs the API server's budget many times over; a pattern costs nothing, and
 * its error still names the field and quotes the text.
 */
const labelText = (re: string, max: number): Overlay => ({ maxLength: max, pattern: re })

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const
const celList = (xs: readonly string[]): string => `[${xs.map((x) => `'${x}'`).join(', ')}]`

/** Rules on one requirement ({key, operator, values}). */
const requirement: Overlays = {
  '': {
    rules: [
      {
        rule: `self.operator in ${celList(OPERATORS)}`,
        fieldPath: '.operator',
        reason: 'FieldValueInvalid',
        messageExpression: `'operator "' + self.operator + '" is not one of ${OPERATORS.join(', ')}'`,
      },
      {
        rule: `!(self.operator in ['In', 'NotIn']) || (has(self.values) && size(self.values) > 0)`,
        fieldPath: '.values',
        reason: 'FieldValueRequired',
        messageExpression: `'operator ' + self.operator + ' needs at least one value in values'`,
      },
      {
        rule: `!(self.operator in ['Exists', 'DoesNotExist']) || !has(self.values) || size(self.values) == 0`,
        fieldPath: '.values',
        reason: 'FieldValueForbidden',
        messageExpression: `'operator ' + self.operator + ' takes no values: remove values'`,
      },
    ],
  },
  key: { description: 'The label key the requirement is about.', ...labelText(LABEL_KEY_RE, MAX_LABEL_KEY) },
  operator: { description: 'How the key relates to the values: In, NotIn, Exists or DoesNotExist.' },
  values: {
    description: 'Label values: at least one for In and NotIn, none for Exists and DoesNotExist.',
    listType: 'atomic',
  },
  'values[]': labelText(LABEL_VALUE_RE, MAX_LABEL_VALUE),
}

/** One selector, as metav1.LabelSelector: replaced as a whole by a merge patch (map-type atomic). */
const selector: Overlays = mergeOverlays(describe(labelSelectorDescriptions), {
  '': { mapType: 'atomic' },
  // Map keys have no schema of their own: the map checks them (bounded, for the cost budget).
  matchLabels: {
    maxProperties: MAX_MATCH_LABELS,
    rules: [{ rule: `self.all(k, k.size() <= ${MAX_LABEL_KEY} && k.matches(${celString(LABEL_KEY_RE)}))`, message: `every matchLabels key must be a label key: ${KEY_TEXT}` }],
  },
  'matchLabels{}': labelText(LABEL_VALUE_RE, MAX_LABEL_VALUE),
  matchExpressions: { listType: 'atomic', maxItems: MAX_EXPRESSIONS },
  ...under('matchExpressions[]', requirement),
})

/** Overlays for the selector list at `path` (e.g. "spec.nodeSelectors"). */
export const selectorListOverlays = (path: string): Overlays =>
  mergeOverlays({ [path]: { maxItems: MAX_SELECTORS } }, under(`${path}[]`, selector))
