#!/usr/bin/env bash
# Makes DEST (a folder that must not exist) a copy of github.com/metallb/frr-k8s v0.0.26 from the Go module
# cache with the two API items v0.0.27 added and MetalLB v0.16.2 compiles against (its frr-k8s BGP mode,
# internal/bgp/frrk8s): the type AsPathPrependPrefixes and the field Advertise.PrefixesWithAsPathPrepend
# (JSON withAsPathPrepend). The proxy serves v0.0.26 but refuses v0.0.27. Nothing of theirs is checked in:
# the source comes from `go mod download` each time.
#
# Usage: frr-k8s-copy.sh DEST
set -euo pipefail
dest=${1:?usage: frr-k8s-copy.sh DEST}
[[ ! -e $dest ]] || { echo "frr-k8s-copy: $dest exists" >&2; exit 1; }
src=$(GOFLAGS=-mod=mod go mod download -json github.com/metallb/frr-k8s@v0.0.26 | jq -r .Dir)
[[ -d $src ]] || { echo "frr-k8s-copy: no source for frr-k8s v0.0.26" >&2; exit 1; }
cp -r "$src" "$dest"
chmod -R u+w "$dest" # the module cache is read-only

types="$dest/api/v1beta1/frrconfiguration_types.go"
anchor='	PrefixesWithCommunity []CommunityPrefixes `json:"withCommunity,omitempty"`'
grep -qxF "$anchor" "$types" || { echo "frr-k8s-copy: Advertise.PrefixesWithCommunity not found in $types" >&2; exit 1; }
# The field goes after PrefixesWithCommunity, inside Advertise.
awk -v anchor="$anchor" '
  { print }
  $0 == anchor {
    print ""
    print "\t// PrefixesWithAsPathPrepend: added by IronLB'"'"'s bench build (frr-k8s v0.0.27'"'"'s API)."
    print "\t// +optional"
    print "\tPrefixesWithAsPathPrepend []AsPathPrependPrefixes `json:\"withAsPathPrepend,omitempty\"`"
  }
' "$types" >"$types.new"
mv "$types.new" "$types"
cat >"$dest/api/v1beta1/aspathprepend_ironlb.go" <<'GO'
package v1beta1

// AsPathPrependPrefixes: frr-k8s v0.0.27's type, added by IronLB's bench build (frr-k8s-copy.sh).
type AsPathPrependPrefixes struct {
	Prefixes      []string `json:"prefixes,omitempty"`
	AsPathPrepend uint8    `json:"asPathPrepend,omitempty"`
}
GO
