// The MetalLB configuration kinds the controller and the speaker both watch in their namespace, each
// read at its storage version (BGPPeer at v1beta2): a view of the CRD catalog, which lists them once.
import { type ConfigKind, CONFIG_KIND_DEFS, storageVersion } from '../../core/crd/catalog.js'
import { GROUP } from '../../core/crd/crd.js'

interface WatchedKind {
  readonly plural: string
  readonly kind: ConfigKind
  readonly version: string
}

export const CONFIG_KINDS: readonly WatchedKind[] = CONFIG_KIND_DEFS.map((k) => ({ plural: k.plural, kind: k.kind, version: storageVersion(k) }))

export const configKindPath = (namespace: string, k: WatchedKind): string => `/apis/${GROUP}/${k.version}/namespaces/${namespace}/${k.plural}`
