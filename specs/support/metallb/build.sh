#!/usr/bin/env bash
# Builds MetalLB v0.16.2's controller and speaker from this tools module into the cache folder bin-dir.sh
# names, unless a complete build is already there (then it only prints the folder). Progress goes to stderr;
# the folder, on success, is the one line on stdout. How the cache works: ../goCache.sh.
#
# The module is copied to a temporary folder where ./frr-k8s is made (frr-k8s-copy.sh), so the checkout
# never holds their code.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../goCache.sh"
bindir=$("$here/bin-dir.sh")
gocache_begin metallb-bins "$bindir"
src=$(mktemp -d)
trap 'rm -rf "$GOCACHE_OUT"; chmod -R u+w "$src"; rm -rf "$src"' EXIT
cp "$here/go.mod" "$here/go.sum" "$src/"
"$here/frr-k8s-copy.sh" "$src/frr-k8s"
cd "$src"
export GOFLAGS=-mod=readonly
ver=$(go list -m -f '{{.Version}}' go.universe.tf/metallb)
gocache_log "MetalLB $ver controller + speaker with $(go env GOVERSION) into $bindir; cold: several minutes"
gocache_go_build "$GOCACHE_OUT" "" "" go.universe.tf/metallb/controller go.universe.tf/metallb/speaker
gocache_finish "$bindir" "go.universe.tf/metallb $ver" "github.com/metallb/frr-k8s v0.0.26 + v0.0.27's AsPathPrependPrefixes (frr-k8s-copy.sh)"
trap 'chmod -R u+w "$src"; rm -rf "$src"' EXIT
