#!/usr/bin/env bash
# Builds the lab cluster's binaries from the three modules here into the folder bin-dir.sh names, unless a
# complete build is already there (then it only prints the folder):
#   kubelet kube-proxy kube-controller-manager kube-scheduler   (kube/)
#   containerd containerd-shim-runc-v2 ctr                      (containerd/)
#   cni/bridge cni/host-local cni/loopback cni/portmap          (cni/; the folder containerd's CNI conf points at)
# runc comes from Debian (specs/support/system-tools.txt): seccomp needs libseccomp, i.e. cgo, and Debian's
# build has it. Everything is static (CGO_ENABLED=0), so the binaries also run inside a node's mount namespace.
# Progress goes to stderr; the folder, on success, is the one line on stdout. How the cache works:
# ../goCache.sh. The three modules share no package builds (their dependency versions differ), so kube/ is
# built beside the other two: each fills the cores the other leaves idle.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../goCache.sh"
bindir=$("$here/bin-dir.sh")
gocache_begin cluster-bins "$bindir"
export GOFLAGS=-mod=readonly
modver() { (cd "$here/$1" && go list -m -f '{{.Version}}' "$2"); }
kver=$(modver kube k8s.io/kubernetes)
cver=$(modver containerd github.com/containerd/containerd/v2)
pver=$(modver cni github.com/containernetworking/plugins)
[[ $kver =~ ^v1\.([0-9]+)\. ]] || { gocache_log "cannot read the k8s.io/kubernetes version from kube/go.mod"; exit 1; }
kminor=${BASH_REMATCH[1]}

# What the binaries report as their version; a plain `go build` leaves v0.0.0-master and containerd's "1.0.0+unknown".
kflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kflags+=" -X $pkg.gitVersion=$kver -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kminor -X $pkg.gitTreeState=clean"
done
cflags=" -X github.com/containerd/containerd/v2/version.Version=$cver"
pflags=" -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$pver"

gocache_log "Kubernetes $kver node and control-plane components, containerd $cver and CNI plugins $pver"
gocache_log "with $(go env GOVERSION) into $bindir; a cold build is long (see README.md)"
k=k8s.io/kubernetes/cmd
(cd "$here/kube" && gocache_go_build "$GOCACHE_OUT" "$kflags" "" $k/kubelet $k/kube-proxy $k/kube-scheduler $k/kube-controller-manager) &
kube=$!
p=github.com/containernetworking/plugins/plugins
(cd "$here/cni" && gocache_go_build "$GOCACHE_OUT/cni" "$pflags" "" $p/main/bridge $p/ipam/host-local $p/main/loopback $p/meta/portmap)
# No btrfs, devmapper or zfs snapshotters: the lab's nodes use overlayfs (or native), and btrfs needs cgo.
c=github.com/containerd/containerd/v2/cmd
(cd "$here/containerd" && gocache_go_build "$GOCACHE_OUT" "$cflags" no_btrfs,no_devmapper,no_zfs $c/containerd $c/containerd-shim-runc-v2 $c/ctr)
wait "$kube"
gocache_finish "$bindir" "k8s.io/kubernetes $kver" "github.com/containerd/containerd/v2 $cver" "github.com/containernetworking/plugins $pver"
