// The MetalLB configuration kinds the controller and the speaker both watch in their namespace, with
// the version each is read at (BGPPeer at its storage version, v1beta2).
export const CONFIG_KINDS = [
  { plural: 'ipaddresspools', kind: 'IPAddressPool', version: 'v1beta1' },
  { plural: 'l2advertisements', kind: 'L2Advertisement', version: 'v1beta1' },
  { plural: 'bgpadvertisements', kind: 'BGPAdvertisement', version: 'v1beta1' },
  { plural: 'bgppeers', kind: 'BGPPeer', version: 'v1beta2' },
  { plural: 'bfdprofiles', kind: 'BFDProfile', version: 'v1beta1' },
  { plural: 'communities', kind: 'Community', version: 'v1beta1' },
] as const

export const configKindPath = (namespace: string, k: (typeof CONFIG_KINDS)[number]): string => `/apis/metallb.io/${k.version}/namespaces/${namespace}/${k.plural}`
