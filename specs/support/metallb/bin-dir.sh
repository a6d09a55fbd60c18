#!/usr/bin/env bash
# Prints the folder that holds (or will hold) MetalLB's controller and speaker built from this tools module:
#   ${IRONLB_CACHE:-$HOME/.cache/ironlb}/metallb/<sha256 of go.mod + go.sum + frr-k8s-copy.sh, 16 hex>
# Outside the checkout so every clone on the machine shares one build; it changes whenever the pin or the
# frr-k8s patch does, which is what triggers a rebuild.
#
# Usage: bin-dir.sh            print the folder
#        bin-dir.sh --check    print it, or fail (exit 1) when the binaries are not built yet
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../goCache.sh"
gocache_check_or_print "$(gocache_dir metallb "$here/go.mod" "$here/go.sum" "$here/frr-k8s-copy.sh")" metallb-bins "${1:-}"
