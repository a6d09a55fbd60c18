#!/usr/bin/env bash
# Builds IronLB's container images as OCI archives, here, without a registry or a container engine
# (`make image`, `make pause-image`; README "The image"):
#
#   build.sh pause  OUT.tar REF            the Pod sandbox image: pause.c, static, as uid 65535
#   build.sh ironlb OUT.tar REF [BASE]     deploy/Containerfile's final stage over the local base (base.sh);
#                                          BASE=local is the only base this builder has (users' builds
#                                          take the official Node image, the Containerfile's default)
#
# ironlb needs `make build native` first, and setcap (root: CAP_SETFCAP) (dist/ and the addon: what the Containerfile's build stage makes).
# Output: the archive, then "<ref> <bytes> <layers>" on stdout. Reproducible: the same inputs give the
# same bytes (mtime 0, sorted, owner 0). Needs gcc (static libc), tar, gzip, jq, npm, dpkg-query.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/oci.sh"
. "$here/base.sh"
. "$here/containerfile.sh"

usage() { echo "usage: build.sh pause|ironlb OUT.tar REF [BASE]" >&2; exit 2; }
[[ $# -ge 3 ]] || usage
what=$1 out=$2 ref=$3 base=${4:-local}
work=$(mktemp -d "${TMPDIR:-/tmp}/ironlb-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/layout"
PATH_ENV='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

case $what in
  pause)
    mkdir -p "$work/rootfs"
    gcc -Os -static -s -Wall -Wextra -Werror -DPAUSE_VERSION="\"ironlb-pause ${ref##*:}\"" -o "$work/rootfs/pause" "$here/pause.c"
    layers=("$(oci_layer "$work/layout" "$work/rootfs")")
    # The same user as Kubernetes's own pause image: no name, no home, no capabilities needed.
    config=$(jq -nc --arg p "$PATH_ENV" '{Env: [$p], Entrypoint: ["/pause"], User: "65535:65535"}')
    ;;
  ironlb)
    for f in dist/shell/cli/ironlb.js shell/native/build/Release/ironlb_packet.node; do
      [[ -f $repo/$f ]] || { echo "build.sh: no $f: run make build native first" >&2; exit 1; }
    done
    packages=$(base_rootfs "$work/base")
    # The build stage's /src: what its `npm ci`, tsc, node-gyp and `npm prune --omit=dev` leave.
    mkdir -p "$work/src/node_modules" "$work/src/shell/native/build/Release"
    cp -a "$repo/package.json" "$repo/dist" "$work/src/"
    rm -rf "$work/src/dist/image" # the archives this script writes, not the build's output
    cp -a "$repo/shell/native/build/Release/ironlb_packet.node" "$work/src/shell/native/build/Release/"
    # The build stage's RUN for the entrypoint: static, with its file capabilities (deploy/image/ambient.c).
    gcc -Os -static -s -Wall -Wextra -Werror -o "$work/src/ambient" "$here/ambient.c"
    setcap cap_net_raw,cap_net_bind_service+p "$work/src/ambient"
    (cd "$repo" && npm ls --omit=dev --all --parseable) | while IFS= read -r dir; do
      [[ $dir == "$repo"/node_modules/* ]] || continue # the first line is the project itself
      rel=${dir#"$repo"/}
      mkdir -p "$work/src/$(dirname "$rel")"
      [[ -e $work/src/$rel ]] || cp -a "$dir" "$work/src/$rel"
    done
    mkdir -p "$work/app"
    app=$(containerfile_apply "$repo/deploy/Containerfile" "$work/app" "$work/src" "$base")
    labels=$(jq -Rn --arg p "$packages" '{"org.ironlb.base": ($p | split("\n") | join(", "))}')
    config=$(jq -c --arg p "$PATH_ENV" --argjson l "$labels" '.Env = ([$p] + (.Env // [])) | .Labels = ($l + (.Labels // {}))' <<<"$app")
    layers=("$(oci_layer "$work/layout" "$work/base")" "$(oci_layer "$work/layout" "$work/app")")
    ;;
  *) usage ;;
esac

oci_image "$work/layout" "$ref" "$config" "${layers[@]}"
mkdir -p "$(dirname "$out")"
oci_archive "$work/layout" "$out.tmp"
mv "$out.tmp" "$out"
printf '%s %s %s\n' "$ref" "$(stat -c %s "$out")" "${#layers[@]}"
