#!/usr/bin/env bash
# Prints the folder that holds (or will hold) helm built from this tools module:
#   ${IRONLB_CACHE:-$HOME/.cache/ironlb}/helm/<sha256 of go.mod + go.sum, 16 hex>
# Outside the checkout so every clone on the machine shares one build; it changes whenever the module does.
#
# Usage: bin-dir.sh            print the folder
#        bin-dir.sh --check    print it, or fail (exit 1) when the binary is not built yet
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../goCache.sh"
gocache_check_or_print "$(gocache_dir helm "$here/go.mod" "$here/go.sum")" helm-bins "${1:-}"
