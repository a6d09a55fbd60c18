#!/usr/bin/env bash
# Prints the folder that holds (or will hold) kube-apiserver, kubectl and etcd built from this tools module:
#   ${IRONLB_CACHE:-$HOME/.cache/ironlb}/k8s/<sha256 of go.mod + go.sum, 16 hex>
# The folder is outside the checkout so every clone on this machine (CI clones afresh) shares one build, and
# it changes whenever the tools module does, which is what triggers a rebuild.
#
# Usage: bin-dir.sh            print the folder
#        bin-dir.sh --check    print it, or fail (exit 1) when the binaries are not built yet
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../goCache.sh"
gocache_check_or_print "$(gocache_dir k8s "$here/go.mod" "$here/go.sum")" k8s-bins "${1:-}"
