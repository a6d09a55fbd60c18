#!/usr/bin/env bash
# Builds MetalLB v0.16.2's controller and speaker from this tools module into the cache folder bin-dir.sh
# names, unless a complete build is already there (then it only prints the folder). Progress goes to stderr;
# the folder, on success, is the one line on stdout.
#
# The module is copied to a temporary folder where ./frr-k8s is made (frr-k8s-copy.sh), so the checkout
# never holds their code. The binaries go to a temporary sibling folder renamed into place at the end, with a
# lock held throughout, so a concurrent or interrupted build never leaves a half-filled folder behind.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bindir=$("$here/bin-dir.sh")
log() { printf '[metallb-bins] %s\n' "$*" >&2; }
done_already() {
  [[ -f "$bindir/.complete" ]] || return 1
  log "up to date: $bindir"
  printf '%s\n' "$bindir"
}
done_already && exit 0

mkdir -p "$(dirname "$bindir")"
exec 9>"$bindir.lock"
if ! flock -n 9; then
  log "another build of $bindir is running; waiting for it"
  flock 9
fi
done_already && exit 0 # the build we waited for finished it

export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0
tmp=$(mktemp -d "$bindir.tmp.XXXXXX")
src=$(mktemp -d)
trap 'rm -rf "$tmp"; chmod -R u+w "$src"; rm -rf "$src"' EXIT
cp "$here/go.mod" "$here/go.sum" "$src/"
"$here/frr-k8s-copy.sh" "$src/frr-k8s"
ver=$(cd "$src" && go list -m -f '{{.Version}}' go.universe.tf/metallb)

log "building MetalLB $ver controller + speaker with $(go env GOVERSION) into $bindir"
log "a cold build takes several minutes on 2 cores; rebuilds reuse Go's build cache"
total_start=$SECONDS
for name in controller speaker; do
  start=$SECONDS
  (cd "$src" && GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" -o "$tmp/$name" "go.universe.tf/metallb/$name")
  log "$name: done in $((SECONDS - start))s ($(du -h "$tmp/$name" | cut -f1))"
done

{
  echo "go.universe.tf/metallb $ver"
  echo "github.com/metallb/frr-k8s v0.0.26 + v0.0.27's AsPathPrependPrefixes (frr-k8s-copy.sh)"
  echo "go $(go env GOVERSION)"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - total_start))s"
} >"$tmp/VERSIONS"
touch "$tmp/.complete"
rm -rf "$bindir"
chmod 0755 "$tmp"
mv -T "$tmp" "$bindir"
trap 'chmod -R u+w "$src"; rm -rf "$src"' EXIT
log "all built in $((SECONDS - total_start))s: $bindir"
printf '%s\n' "$bindir"
