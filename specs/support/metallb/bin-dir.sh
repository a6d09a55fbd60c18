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
hash=$(cat "$here/go.mod" "$here/go.sum" "$here/frr-k8s-copy.sh" | sha256sum | cut -c1-16)
dir="${IRONLB_CACHE:-${HOME:?HOME is unset}/.cache/ironlb}/metallb/${hash}"
if [[ ${1:-} == --check && ! -f "$dir/.complete" ]]; then
  echo "bin-dir: no complete build in $dir; run: make metallb-bins" >&2
  exit 1
fi
printf '%s\n' "$dir"
