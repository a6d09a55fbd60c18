#!/usr/bin/env bash
# Builds helm (helm.sh/helm/v3, the version go.mod pins) into the cache folder that bin-dir.sh names,
# unless a complete build is already there (then it only prints the folder). Progress goes to stderr; the
# folder, on success, is the one line on stdout. How the cache works: ../goCache.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../goCache.sh"
bindir=$("$here/bin-dir.sh")
gocache_begin helm-bins "$bindir"
export GOFLAGS=-mod=readonly
cd "$here"
hver=$(go mod edit -json | jq -r '.Require[] | select(.Path == "helm.sh/helm/v3") | .Version')
[[ $hver =~ ^v3\. ]] || { gocache_log "cannot read the helm.sh/helm/v3 version from go.mod"; exit 1; }
# `helm version` prints what internal/version holds; a plain `go build` leaves it at the module's default.
gocache_go_build "$GOCACHE_OUT" " -X helm.sh/helm/v3/internal/version.version=$hver" "" helm.sh/helm/v3/cmd/helm
gocache_finish "$bindir" "helm.sh/helm/v3 $hver"
