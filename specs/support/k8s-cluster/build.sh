#!/usr/bin/env bash
# Builds the lab cluster's binaries from the three modules here into the folder bin-dir.sh names, unless a
# complete build is already there (then it only prints the folder):
#   kubelet kube-proxy kube-controller-manager kube-scheduler   (kube/)
#   containerd containerd-shim-runc-v2 ctr                      (containerd/)
#   cni/bridge cni/host-local cni/loopback cni/portmap          (cni/; the folder containerd's CNI conf points at)
# runc comes from Debian (specs/support/system-tools.txt): seccomp needs libseccomp, i.e. cgo, and Debian's
# build has it. Everything is static (CGO_ENABLED=0), so the binaries also run inside a node's mount namespace.
# Progress goes to stderr; the folder, on success, is the one line on stdout. The build goes to a temporary
# sibling folder renamed into place at the end, under a lock, as ../k8s/build.sh does.
#
# The Go build runs at nice 10: it is long (see README.md) and must not starve tests that run beside it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bindir=$("$here/bin-dir.sh")
log() { printf '[cluster-bins] %s\n' "$*" >&2; }
done_already() {
  [[ -f "$bindir/.complete" ]] || return 1
  log "up to date: $bindir"
  printf '%s\n' "$bindir"
}
done_already && exit 0

mkdir -p "$(dirname "$bindir")"
exec 9>"$bindir.lock"
if ! flock -n 9; then
  log "another build of $bindir is running; waiting for it"
  flock 9
fi
done_already && exit 0 # the build we waited for finished it

export GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0
modver() { (cd "$here/$1" && go list -m -f '{{.Version}}' "$2"); }
kver=$(modver kube k8s.io/kubernetes)
cver=$(modver containerd github.com/containerd/containerd/v2)
pver=$(modver cni github.com/containernetworking/plugins)
[[ $kver =~ ^v1\.([0-9]+)\. ]] || { log "cannot read the k8s.io/kubernetes version from kube/go.mod"; exit 1; }
kminor=${BASH_REMATCH[1]}

# What the binaries report as their version; a plain `go build` leaves v0.0.0-master and containerd's "1.0.0+unknown".
kflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kflags+=" -X $pkg.gitVersion=$kver -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kminor -X $pkg.gitTreeState=clean"
done
cflags=" -X github.com/containerd/containerd/v2/version.Version=$cver"
pflags=" -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$pver"

tmp=$(mktemp -d "$bindir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cni"

log "building Kubernetes $kver node and control-plane components, containerd $cver and CNI plugins $pver"
log "with $(go env GOVERSION) into $bindir; a cold build is long (see README.md), rebuilds reuse Go's build cache"
total_start=$SECONDS
build() { # module output package extra-ldflags [tags]
  local mod=$1 out=$2 pkg=$3 ld=$4 tags=${5:-} start=$SECONDS
  log "$out: building $pkg ..."
  (cd "$here/$mod" && nice -n 10 go build -trimpath ${tags:+-tags "$tags"} -ldflags "-s -w$ld" -o "$tmp/$out" "$pkg")
  log "$out: done in $((SECONDS - start))s ($(du -h "$tmp/$out" | cut -f1))"
}
for p in bridge:main host-local:ipam loopback:main portmap:meta; do
  build cni "cni/${p%%:*}" "github.com/containernetworking/plugins/plugins/${p#*:}/${p%%:*}" "$pflags"
done
# No btrfs, devmapper or zfs snapshotters: the lab's nodes use overlayfs (or native), and btrfs needs cgo.
ctags=no_btrfs,no_devmapper,no_zfs
build containerd containerd github.com/containerd/containerd/v2/cmd/containerd "$cflags" "$ctags"
build containerd containerd-shim-runc-v2 github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 "$cflags" "$ctags"
build containerd ctr github.com/containerd/containerd/v2/cmd/ctr "$cflags" "$ctags"
for cmd in kubelet kube-proxy kube-scheduler kube-controller-manager; do
  build kube "$cmd" "k8s.io/kubernetes/cmd/$cmd" "$kflags"
done

{
  echo "k8s.io/kubernetes $kver"
  echo "github.com/containerd/containerd/v2 $cver"
  echo "github.com/containernetworking/plugins $pver"
  echo "go $(go env GOVERSION)"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - total_start))s"
} >"$tmp/VERSIONS"
touch "$tmp/.complete"
rm -rf "$bindir" # a leftover without .complete (e.g. removed by hand half-way)
chmod 0755 "$tmp"
mv -T "$tmp" "$bindir"
trap - EXIT
log "all built in $((SECONDS - total_start))s ($(du -sh "$bindir" | cut -f1)): $bindir"
printf '%s\n' "$bindir"
