// The IPAddressPool of MetalLB's documentation (the seed), word for word as a user would apply it: IPv4 CIDR,
// IPv4 range and IPv6 CIDR in one pool.
export const SEED_POOL_YAML = `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: first-pool
  namespace: metallb-system
spec:
  addresses:
  - 192.168.10.0/24
  - 192.168.9.1-192.168.9.5
  - fc00:f853:0ccd:e799::/124
`
