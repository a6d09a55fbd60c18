#!/usr/bin/env bash
# Prints the folder that holds (or will hold) the lab cluster's binaries built from the three modules here:
#   ${IRONLB_CACHE:-$HOME/.cache/ironlb}/k8s-cluster/<sha256 of kube/, containerd/, cni/ go.mod + go.sum, 16 hex>
# A key of its own: the binaries `make test` uses (../k8s, K8S_BIN_DIR) keep theirs, so nothing here ever
# rebuilds them. Outside the checkout, so every clone on the machine (CI clones afresh) shares one build.
#
# Usage: bin-dir.sh            print the folder
#        bin-dir.sh --check    print it, or fail (exit 1) when the binaries are not built yet
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
hash=$(cd "$here" && cat kube/go.mod kube/go.sum containerd/go.mod containerd/go.sum cni/go.mod cni/go.sum | sha256sum | cut -c1-16)
dir="${IRONLB_CACHE:-${HOME:?HOME is unset}/.cache/ironlb}/k8s-cluster/${hash}"
if [[ ${1:-} == --check && ! -f "$dir/.complete" ]]; then
  echo "bin-dir: no complete build in $dir; run: make cluster-bins" >&2
  exit 1
fi
printf '%s\n' "$dir"
