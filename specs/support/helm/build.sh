#!/usr/bin/env bash
# Builds helm (helm.sh/helm/v3, the version go.mod pins) into the cache folder that bin-dir.sh names,
# unless a complete build is already there (then it only prints the folder). Progress goes to stderr; the
# folder, on success, is the one line on stdout. Same scheme as ../k8s/build.sh: a temporary sibling
# renamed into place at the end, under a lock, so no half-built folder is ever seen.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bindir=$("$here/bin-dir.sh")
log() { printf '[helm-bins] %s\n' "$*" >&2; }

if [[ -f "$bindir/.complete" ]]; then
  log "up to date: $bindir"
  printf '%s\n' "$bindir"
  exit 0
fi

mkdir -p "$(dirname "$bindir")"
exec 9>"$bindir.lock"
if ! flock -n 9; then
  log "another build of $bindir is running; waiting for it"
  flock 9
fi
if [[ -f "$bindir/.complete" ]]; then # the build we waited for finished it
  log "up to date: $bindir"
  printf '%s\n' "$bindir"
  exit 0
fi

export GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=readonly CGO_ENABLED=0
cd "$here"
hver=$(go mod edit -json | jq -r '.Require[] | select(.Path == "helm.sh/helm/v3") | .Version')
[[ $hver =~ ^v3\. ]] || { log "cannot read the helm.sh/helm/v3 version from go.mod"; exit 1; }

tmp=$(mktemp -d "$bindir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log "building helm $hver with $(go env GOVERSION) into $bindir (nice 10)"
start=$SECONDS
# `helm version` prints what internal/version holds; a plain `go build` leaves it at the module's default.
nice -n 10 go build -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$hver" -o "$tmp/helm" helm.sh/helm/v3/cmd/helm
{
  echo "helm.sh/helm/v3 $hver"
  echo "go $(go env GOVERSION)"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - start))s"
} >"$tmp/VERSIONS"
touch "$tmp/.complete"
rm -rf "$bindir"
chmod 0755 "$tmp"
mv -T "$tmp" "$bindir"
trap - EXIT
log "built in $((SECONDS - start))s ($(du -h "$bindir/helm" | cut -f1)): $bindir"
printf '%s\n' "$bindir"
