// Which configuration the controller runs on, and what it reports about the latest one. A typo must
// not release anyone's IP: while the latest objects are invalid the last valid config keeps running
// (MetalLB does the same), and with none yet the controller plans nothing.
import { absurd } from '../fp/absurd.js'
import type { Config, ConfigError, ConfigResult } from '../model/config.js'

export type ConfigChoice =
  | { readonly _tag: 'Latest'; readonly config: Config }
  | { readonly _tag: 'LastValid'; readonly config: Config; readonly errors: readonly ConfigError[] }
  | { readonly _tag: 'NoValidYet'; readonly errors: readonly ConfigError[] }

/** The body of the controller's ConfigurationState (MetalLB v0.16): about the latest objects. */
export interface ConfigurationState {
  readonly result: 'Valid' | 'Invalid'
  readonly errors: readonly ConfigError[]
}

export const chooseConfig = (latest: ConfigResult, lastValid: Config | undefined): ConfigChoice => {
  if (latest._tag === 'Valid') return { _tag: 'Latest', config: latest.config }
  return lastValid === undefined ? { _tag: 'NoValidYet', errors: latest.errors } : { _tag: 'LastValid', config: lastValid, errors: latest.errors }
}

export const runningConfig = (c: ConfigChoice): Config | undefined => {
  switch (c._tag) {
    case 'Latest':
    case 'LastValid':
      return c.config
    case 'NoValidYet':
      return undefined
    default:
      return absurd(c)
  }
}

const configErrors = (c: ConfigChoice): readonly ConfigError[] => (c._tag === 'Latest' ? [] : c.errors)

export const configurationStateOf = (c: ConfigChoice): ConfigurationState => {
  const errors = configErrors(c)
  return { result: errors.length === 0 ? 'Valid' : 'Invalid', errors }
}
