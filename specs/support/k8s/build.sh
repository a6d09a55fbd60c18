#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from this tools module into the cache folder that bin-dir.sh names,
# unless a complete build is already there (then it only prints the folder). Progress goes to stderr; the
# folder, on success, is the one line on stdout. How the cache works: ../goCache.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../goCache.sh"
bindir=$("$here/bin-dir.sh")
gocache_begin k8s-bins "$bindir"
export GOFLAGS=-mod=readonly
cd "$here"
modver() { go mod edit -json | jq -r --arg p "$1" '.Require[] | select(.Path == $p) | .Version'; }
kver=$(modver k8s.io/kubernetes)
ever=$(modver go.etcd.io/etcd/server/v3)
[[ $kver =~ ^v1\.([0-9]+)\. ]] || { gocache_log "cannot read the k8s.io/kubernetes version from go.mod"; exit 1; }
kminor=${BASH_REMATCH[1]}

# What `kubectl version` and the apiserver's /version report; a plain `go build` leaves v0.0.0-master.
vflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  vflags+=" -X $pkg.gitVersion=$kver -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kminor -X $pkg.gitTreeState=clean"
done

gocache_log "kube-apiserver + kubectl $kver and etcd $ever with $(go env GOVERSION) into $bindir; cold: about"
gocache_log "10 min on 2 cores and ~2.5 GB of Go module and build cache; a rebuild reuses Go's build cache"
# etcd's main package is go.etcd.io/etcd/server/v3, which `go build -o DIR/` names "server".
gocache_go_build "$GOCACHE_OUT" "$vflags" "" go.etcd.io/etcd/server/v3 k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl
mv "$GOCACHE_OUT/server" "$GOCACHE_OUT/etcd"
gocache_finish "$bindir" "k8s.io/kubernetes $kver" "go.etcd.io/etcd/server/v3 $ever"
