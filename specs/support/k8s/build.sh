#!/usr/bin/env bash
# Builds kube-apiserver, kubectl and etcd from this tools module into the cache folder that bin-dir.sh names,
# unless a complete build is already there (then it only prints the folder). Progress goes to stderr; the
# folder, on success, is the one line on stdout.
#
# The build goes to a temporary sibling folder that is renamed into place at the end, with a lock held
# throughout, so a concurrent or interrupted build never leaves a half-filled folder behind.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bindir=$("$here/bin-dir.sh")
log() { printf '[k8s-bins] %s\n' "$*" >&2; }

if [[ -f "$bindir/.complete" ]]; then
  log "up to date: $bindir"
  printf '%s\n' "$bindir"
  exit 0
fi

parent=$(dirname "$bindir")
mkdir -p "$parent"
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
modver() { go mod edit -json | jq -r --arg p "$1" '.Require[] | select(.Path == $p) | .Version'; }
kver=$(modver k8s.io/kubernetes)
ever=$(modver go.etcd.io/etcd/server/v3)
[[ $kver =~ ^v1\.([0-9]+)\. ]] || { log "cannot read the k8s.io/kubernetes version from go.mod"; exit 1; }
kminor=${BASH_REMATCH[1]}

# What `kubectl version` and the apiserver's /version report; a plain `go build` leaves v0.0.0-master.
vflags=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  vflags+=" -X $pkg.gitVersion=$kver -X $pkg.gitMajor=1 -X $pkg.gitMinor=$kminor -X $pkg.gitTreeState=clean"
done

tmp=$(mktemp -d "$bindir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

log "building kube-apiserver + kubectl $kver and etcd $ever with $(go env GOVERSION) into $bindir"
log "a cold build takes a long time (about 10 min on 2 cores, plus ~2.5 GB of Go module and build cache);"
log "rebuilds after a change to the tools module reuse Go's build cache and are much quicker"
total_start=$SECONDS
build() { # name package extra-ldflags
  local name=$1 pkg=$2 ld=$3 start=$SECONDS
  log "$name: building $pkg ..."
  go build -trimpath -ldflags "-s -w$ld" -o "$tmp/$name" "$pkg"
  log "$name: done in $((SECONDS - start))s ($(du -h "$tmp/$name" | cut -f1))"
}
build etcd go.etcd.io/etcd/server/v3 ""
build kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver "$vflags"
build kubectl k8s.io/kubernetes/cmd/kubectl "$vflags"

{
  echo "k8s.io/kubernetes $kver"
  echo "go.etcd.io/etcd/server/v3 $ever"
  echo "go $(go env GOVERSION)"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - total_start))s"
} >"$tmp/VERSIONS"
touch "$tmp/.complete"
rm -rf "$bindir" # a leftover without .complete (e.g. removed by hand half-way)
chmod 0755 "$tmp"
mv -T "$tmp" "$bindir"
trap - EXIT
log "all built in $((SECONDS - total_start))s: $bindir"
printf '%s\n' "$bindir"
