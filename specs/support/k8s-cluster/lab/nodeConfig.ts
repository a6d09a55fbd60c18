// What each node's programs are told: the kubelet's and kube-proxy's configuration files and the CNI
// network (bridge cni0 as the Pods' gateway, host-local addresses from the node's podCIDRs, loopback, and
// portmap on nftables: this machine has no iptables).
import { POD_CIDR, POD_CIDR6 } from './plan.js'

export const kubeletConfig = (o: { readonly ip: string; readonly cgroupRoot: string; readonly socket: string; readonly podLogs: string }): string => `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# This machine mounts cgroup v1 (hybrid); kubelet 1.35+ refuses it unless told.
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupRoot: /${o.cgroupRoot}
containerRuntimeEndpoint: unix://${o.socket}
authentication: {anonymous: {enabled: false}, webhook: {enabled: false}}
authorization: {mode: AlwaysAllow}
address: ${o.ip}
healthzBindAddress: 127.0.0.1
readOnlyPort: 0
failSwapOn: false
podLogsDir: ${o.podLogs}
enforceNodeAllocatable: []
evictionHard: {}
resolvConf: ""
localStorageCapacityIsolation: false
`

// conntrack: the machine-wide table size and timeouts are not the lab's to change (0: leave as is).
export const kubeProxyConfig = (o: { readonly node: string; readonly kubeconfig: string }): string => `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: nftables
hostnameOverride: ${o.node}
clientConnection: {kubeconfig: ${o.kubeconfig}}
clusterCIDR: ${POD_CIDR},${POD_CIDR6}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s, udpTimeout: 0s, udpStreamTimeout: 0s}
`

/**
 * `ipamDir`: where host-local keeps its leases, in the node's own folder. By default it is the machine's
 * /var/lib/cni/networks/<name>, shared by every run and never emptied: after a day of runs the /27 of
 * node1 was all leased to Pods long gone and new Pods stayed in ContainerCreating.
 */
export const cniConflist = (podCidrs: readonly string[], ipamDir: string): string =>
  JSON.stringify({
    cniVersion: '1.0.0',
    name: 'lab',
    plugins: [
      { type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: false, ipam: { type: 'host-local', dataDir: ipamDir, ranges: podCidrs.map((subnet) => [{ subnet }]), routes: podCidrs.map((c) => ({ dst: c.includes(':') ? '::/0' : '0.0.0.0/0' })) } },
      { type: 'portmap', backend: 'nftables', capabilities: { portMappings: true } },
    ],
  })
