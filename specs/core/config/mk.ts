// Builders for MetalLB objects as a user would write them, and helpers to read results. Not a
// spec: shared by the specs in this folder.
import { buildConfig } from '../../../core/config/buildConfig.js'
import type { Config, ConfigError, ConfigResult } from '../../../core/model/config.js'

export const NS = 'metallb-system'

type Spec = Record<string, unknown>
type Meta = { readonly namespace?: string; readonly labels?: Record<string, string> }

const mk =
  (apiVersion: string, kind: string) =>
  (name: string, spec?: Spec, meta: Meta = {}): Record<string, unknown> => ({
    apiVersion,
    kind,
    metadata: { name, namespace: NS, ...meta },
    ...(spec === undefined ? {} : { spec }),
  })

export const mkPoolOf = mk('metallb.io/v1beta1', 'IPAddressPool')
export const mkPool = (name: string, addresses: readonly string[], extra: Spec = {}, meta: Meta = {}) =>
  mkPoolOf(name, { addresses, ...extra }, meta)
export const mkL2 = mk('metallb.io/v1beta1', 'L2Advertisement')
export const mkBgpAdv = mk('metallb.io/v1beta1', 'BGPAdvertisement')
export const mkPeer = mk('metallb.io/v1beta2', 'BGPPeer')
export const mkPeerV1beta1 = mk('metallb.io/v1beta1', 'BGPPeer')
export const mkBfd = mk('metallb.io/v1beta1', 'BFDProfile')
export const mkCommunity = mk('metallb.io/v1beta1', 'Community')

/** A peer that is valid as written; specs override one field at a time. */
export const mkGoodPeer = (name: string, spec: Spec = {}) =>
  mkPeer(name, { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.1', ...spec })

export const build = (objects: readonly unknown[]): ConfigResult => buildConfig(objects, { namespace: NS })

export const errorsOf = (r: ConfigResult): readonly ConfigError[] => (r._tag === 'Invalid' ? r.errors : [])

export const configOf = (r: ConfigResult): Config | undefined => (r._tag === 'Valid' ? r.config : undefined)

/** "field: message" lines, the form the example tables compare. */
export const lines = (r: ConfigResult): string[] => errorsOf(r).map((e) => `${e.kind}/${e.name} ${e.field}: ${e.message}`)

/** Whether some error is at `field` (exactly) with a message containing `text`. */
export const hasError = (r: ConfigResult, field: string, text: string): boolean =>
  errorsOf(r).some((e) => e.field === field && e.message.includes(text))
