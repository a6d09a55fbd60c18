# Sourced by the build scripts of the Go tools modules (k8s/, k8s-cluster/, helm/, metallb/): the one way
# their binaries reach the cache outside the checkout, where every clone on the machine shares them.
#
#   gocache_dir KIND FILE...       the folder ${IRONLB_CACHE:-$HOME/.cache/ironlb}/KIND/<16 hex of the files' sha256>
#   gocache_check_or_print DIR WHAT  for bin-dir.sh: print DIR; with --check as $3, fail unless complete
#   gocache_begin TAG DIR          exit 0 (printing DIR) when a complete build is there; else take DIR's lock
#                                  (waiting for a concurrent build, which may finish it) and set GOCACHE_OUT
#                                  to a temporary sibling folder that gocache_finish renames into place
#   gocache_go_build OUT_DIR LDFLAGS TAGS PKG...   one `go build` of every PKG into OUT_DIR (nice 10)
#   gocache_finish DIR LINE...     write VERSIONS (the lines, the Go version, the build time), mark complete,
#                                  move into place, print DIR
#
# A half-built folder is never seen: the build goes to the sibling and is renamed at the end, under the lock.
# One `go build` per module builds its binaries together: the packages they share compile once and the two
# cores stay busy through each binary's last packages and link (one build each left a core idle there).

gocache_log() { printf '[%s] %s\n' "$GOCACHE_TAG" "$*" >&2; }

gocache_dir() {
  local kind=$1
  shift
  local hash
  hash=$(cat "$@" | sha256sum | cut -c1-16)
  printf '%s\n' "${IRONLB_CACHE:-${HOME:?HOME is unset}/.cache/ironlb}/$kind/$hash"
}

gocache_check_or_print() {
  local dir=$1 what=$2 flag=${3:-}
  if [[ $flag == --check && ! -f "$dir/.complete" ]]; then
    echo "bin-dir: no complete build in $dir; run: make $what" >&2
    return 1
  fi
  printf '%s\n' "$dir"
}

gocache_done_already() {
  [[ -f "$1/.complete" ]] || return 1
  gocache_log "up to date: $1"
  printf '%s\n' "$1"
}

gocache_begin() {
  GOCACHE_TAG=$1
  local dir=$2
  gocache_done_already "$dir" && exit 0
  mkdir -p "$(dirname "$dir")"
  exec 9>"$dir.lock"
  if ! flock -n 9; then
    gocache_log "another build of $dir is running; waiting for it"
    flock 9
  fi
  gocache_done_already "$dir" && exit 0 # the build we waited for finished it
  export GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0
  GOCACHE_OUT=$(mktemp -d "$dir.tmp.XXXXXX")
  GOCACHE_START=$SECONDS
  trap 'rm -rf "$GOCACHE_OUT"' EXIT
}

gocache_go_build() {
  local out=$1 ld=$2 tags=$3 start=$SECONDS
  shift 3
  mkdir -p "$out"
  gocache_log "building $* ..."
  nice -n 10 go build -trimpath ${tags:+-tags "$tags"} -ldflags "-s -w$ld" -o "$out/" "$@"
  gocache_log "built in $((SECONDS - start))s: $*"
}

gocache_finish() {
  local dir=$1
  shift
  {
    printf '%s\n' "$@"
    echo "go $(go env GOVERSION)"
    echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - GOCACHE_START))s"
  } >"$GOCACHE_OUT/VERSIONS"
  touch "$GOCACHE_OUT/.complete"
  rm -rf "$dir" # a leftover without .complete (e.g. removed by hand half-way)
  chmod 0755 "$GOCACHE_OUT"
  mv -T "$GOCACHE_OUT" "$dir"
  trap - EXIT
  gocache_log "all built in $((SECONDS - GOCACHE_START))s ($(du -sh "$dir" | cut -f1)): $dir"
  printf '%s\n' "$dir"
}
