#!/usr/bin/env bash
# Regenerates the replace directives of the tools module from k8s.io/kubernetes's own go.mod.
#
# k8s.io/kubernetes requires each of its staging modules (k8s.io/api, k8s.io/apiserver, ...) at v0.0.0 and
# points them at ./staging in its own replace block, which does not apply to a module that depends on it.
# The proxy does not serve v0.0.0, so we replace every such requirement with the staging release that was
# tagged with the same Kubernetes release: k8s.io/kubernetes v1.Y.Z -> k8s.io/<staging> v0.Y.Z.
#
# It also drops every other requirement before `go mod tidy`, so the build list is recomputed from the two
# roots (k8s.io/kubernetes and go.etcd.io/etcd/server/v3) and never keeps a stale upgrade.
#
# Usage: gen-replaces.sh [v1.Y.Z [v3.6.Z]]   (without arguments, keeps the versions go.mod requires)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=mod

modver() { go mod edit -json | jq -r --arg p "$1" '(.Require // [])[] | select(.Path == $p) | .Version'; }
kver=${1:-$(modver k8s.io/kubernetes)}
ever=${2:-$(modver go.etcd.io/etcd/server/v3)}
if [[ ! $kver =~ ^v1\.([0-9]+)\.([0-9]+)$ ]]; then
  echo "gen-replaces: k8s.io/kubernetes must be required at a release v1.Y.Z, found '${kver}'" >&2
  exit 1
fi
staging="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"

# Where the go command keeps k8s.io/kubernetes's go.mod (downloads only the .mod and .info, not the source).
gomod=$(go mod download -json "k8s.io/kubernetes@${kver}" | jq -r '.GoMod')
[[ -f $gomod ]] || { echo "gen-replaces: no go.mod for k8s.io/kubernetes@${kver}" >&2; exit 1; }

# Every "k8s.io/<name> v0.0.0" requirement: these are the staging modules.
mapfile -t mods < <(awk '
  $1 == "require" && $2 == "("                                    { inreq = 1; next }
  inreq && $1 == ")"                                              { inreq = 0; next }
  inreq && $1 ~ /^k8s\.io\// && $2 == "v0.0.0"                   { print $1 }
  !inreq && $1 == "require" && $2 ~ /^k8s\.io\// && $3 == "v0.0.0" { print $2 }
' "$gomod" | sort -u)
if [[ ${#mods[@]} -eq 0 ]]; then
  echo "gen-replaces: found no k8s.io/* v0.0.0 requirement in ${gomod}" >&2
  exit 1
fi

[[ $ever =~ ^v3\.[0-9]+\.[0-9]+$ ]] || { echo "gen-replaces: bad etcd version '${ever}'" >&2; exit 1; }

# Drop every requirement and every k8s.io/* replace, then add the roots and the current replace set.
mapfile -t oldreq < <(go mod edit -json | jq -r '(.Require // [])[] | .Path')
mapfile -t oldrep < <(go mod edit -json | jq -r '(.Replace // [])[] | select(.Old.Path | startswith("k8s.io/")) | .Old.Path')
args=()
for m in "${oldreq[@]}"; do args+=("-droprequire=$m"); done
for m in "${oldrep[@]}"; do args+=("-dropreplace=$m"); done
args+=("-require=k8s.io/kubernetes@${kver}" "-require=go.etcd.io/etcd/server/v3@${ever}")
for m in "${mods[@]}"; do args+=("-replace=$m=$m@${staging}"); done
go mod edit "${args[@]}"

echo "gen-replaces: k8s.io/kubernetes ${kver} (${#mods[@]} staging modules replaced at ${staging}), etcd ${ever}" >&2
go mod tidy
