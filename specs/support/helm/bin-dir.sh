#!/usr/bin/env bash
# Prints the folder that holds (or will hold) the helm binary built from this tools module:
#   ${IRONLB_CACHE:-$HOME/.cache/ironlb}/helm/<sha256 of go.mod + go.sum, 16 hex>
# Outside the checkout so every clone on the machine (CI clones afresh) shares one build; the folder
# changes whenever the module does, which is what triggers a rebuild.
#
# Usage: bin-dir.sh            print the folder
#        bin-dir.sh --check    print it, or fail (exit 1) when helm is not built yet
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
hash=$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)
dir="${IRONLB_CACHE:-${HOME:?HOME is unset}/.cache/ironlb}/helm/${hash}"
if [[ ${1:-} == --check && ! -f "$dir/.complete" ]]; then
  echo "bin-dir: no complete build in $dir; run: make helm-bins" >&2
  exit 1
fi
printf '%s\n' "$dir"
