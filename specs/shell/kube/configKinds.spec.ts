// What the daemons watch: every configuration kind of the CRD catalog, at its storage version, in
// the namespace they run in.
import t from 'tap'
import { CONFIG_KINDS, configKindPath } from '../../../shell/kube/configKinds.js'

t.test('each config kind is watched at its storage version', async (t) => {
  t.same(
    CONFIG_KINDS.map((k) => configKindPath('metallb-system', k)),
    [
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools',
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/l2advertisements',
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/bgpadvertisements',
      '/apis/metallb.io/v1beta2/namespaces/metallb-system/bgppeers',
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/bfdprofiles',
      '/apis/metallb.io/v1beta1/namespaces/metallb-system/communities',
    ],
  )
  t.same(CONFIG_KINDS.map((k) => k.kind), ['IPAddressPool', 'L2Advertisement', 'BGPAdvertisement', 'BGPPeer', 'BFDProfile', 'Community'])
})
