#!/usr/bin/env bash
# Re-derives go.sum (and go.mod's indirect requirements) after a change to go.mod: `go mod tidy` in a
# temporary copy of this module where ./frr-k8s exists (frr-k8s-copy.sh), then copies go.mod and go.sum back.
# Usage: tidy.sh   (make metallb-tidy)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=mod
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
cp "$here/go.mod" "$tmp/go.mod"
[[ -f $here/go.sum ]] && cp "$here/go.sum" "$tmp/go.sum"
"$here/frr-k8s-copy.sh" "$tmp/frr-k8s"
(cd "$tmp" && go mod tidy)
cp "$tmp/go.mod" "$here/go.mod"
cp "$tmp/go.sum" "$here/go.sum"
echo "tidy: go.mod and go.sum updated" >&2
