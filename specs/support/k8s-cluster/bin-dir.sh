#!/usr/bin/env bash
# Prints the folder that holds (or will hold) the lab cluster's binaries (build.sh):
#   ${IRONLB_CACHE:-$HOME/.cache/ironlb}/k8s-cluster/<sha256 of kube/, containerd/, cni/ go.mod + go.sum, 16 hex>
# A key of its own: the binaries `make test` uses (../k8s, K8S_BIN_DIR) keep theirs, so nothing here ever
# rebuilds them. Outside the checkout, so every clone on the machine (CI clones afresh) shares one build.
#
# Usage: bin-dir.sh            print the folder
#        bin-dir.sh --check    print it, or fail (exit 1) when the binaries are not built yet
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../goCache.sh"
mods=()
for m in kube containerd cni; do mods+=("$here/$m/go.mod" "$here/$m/go.sum"); done
gocache_check_or_print "$(gocache_dir k8s-cluster "${mods[@]}")" cluster-bins "${1:-}"
