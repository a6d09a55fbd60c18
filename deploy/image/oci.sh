# Assembles an OCI image archive from root filesystem folders, exactly and reproducibly: one gzip'd tar
# layer per folder (sorted names, mtime 0, owner 0:0 numeric, no atime/ctime; file capabilities kept, as
# PAX SCHILY.xattr records that containerd applies), a config that lists their uncompressed digests, a
# manifest, an index naming the image, all in an OCI image layout that is then tarred; `ctr images import` and `podman load` read such an archive. Sourced by build.sh; needs tar,
# gzip, sha256sum, jq.
#
#   oci_layer LAYOUT ROOTFS          add ROOTFS as a layer blob; prints "digest size diff_id"
#   oci_image LAYOUT REF CONFIG_JSON LAYER_LINES...   write config, manifest and index.json
#   oci_archive LAYOUT OUT           tar the layout into OUT

oci_blob() { # LAYOUT FILE -> moves FILE into blobs/sha256, prints "sha256:<hex> <size>"
  local hex size
  hex=$(sha256sum "$2" | cut -d' ' -f1)
  size=$(stat -c %s "$2")
  mkdir -p "$1/blobs/sha256"
  mv "$2" "$1/blobs/sha256/$hex"
  printf 'sha256:%s %s\n' "$hex" "$size"
}

oci_layer() {
  local layout=$1 rootfs=$2 tmp diff
  tmp=$(mktemp "$layout/layer.XXXXXX")
  # Members named without "./", as image builders write them; the root folder itself is not a member.
  (cd "$rootfs" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort |
    tar --create --file=- --null --files-from=<(tr '\n' '\0') --sort=name --mtime=@0 --owner=0 --group=0 \
      --numeric-owner --xattrs --xattrs-include=security.capability --format=pax --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime) >"$tmp.tar"
  diff=sha256:$(sha256sum "$tmp.tar" | cut -d' ' -f1)
  gzip -n -6 <"$tmp.tar" >"$tmp"
  rm -f "$tmp.tar"
  printf '%s %s\n' "$(oci_blob "$layout" "$tmp")" "$diff"
}

# CONFIG_JSON: the "config" object of the image config (Entrypoint, Env, User, WorkingDir, Labels).
# LAYER_LINES: what oci_layer printed, base first.
oci_image() {
  local layout=$1 ref=$2 config=$3 layers cfg cfgd cfgs mf mfd mfs
  shift 3
  layers=$(printf '%s\n' "$@" | jq -R 'split(" ") | {digest: .[0], size: (.[1] | tonumber), diff: .[2]}' | jq -s .)
  cfg=$(mktemp "$layout/config.XXXXXX")
  jq -n --argjson c "$config" --argjson l "$layers" '{
      created: "1970-01-01T00:00:00Z", architecture: "amd64", os: "linux", config: $c,
      rootfs: {type: "layers", diff_ids: [$l[].diff]},
      history: [$l[] | {created: "1970-01-01T00:00:00Z", created_by: "deploy/image/build.sh"}]
    }' >"$cfg"
  read -r cfgd cfgs < <(oci_blob "$layout" "$cfg")
  mf=$(mktemp "$layout/manifest.XXXXXX")
  jq -n --arg cd "$cfgd" --argjson cs "$cfgs" --argjson l "$layers" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
      layers: [$l[] | {mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: .digest, size: .size}]
    }' >"$mf"
  read -r mfd mfs < <(oci_blob "$layout" "$mf")
  # containerd names the image after io.containerd.image.name; other tools read the OCI ref name (the tag).
  jq -n --arg d "$mfd" --argjson s "$mfs" --arg ref "$ref" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
        platform: {architecture: "amd64", os: "linux"},
        annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": ($ref | sub("^.*:"; ""))}}]
    }' >"$layout/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}\n' >"$layout/oci-layout"
}

oci_archive() {
  (cd "$1" && tar --create --file=- --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    oci-layout index.json blobs) >"$2"
}
