// One configuration error as one line of text, the form `ironlb simulate`, the ConfigurationState
// summary and the webhook's refusal all print: "Kind namespace/name: field: message".
import type { ConfigError } from '../model/config.js'

export const configErrorText = (e: ConfigError): string => `${e.kind} ${e.namespace}/${e.name}: ${e.field}: ${e.message}`
