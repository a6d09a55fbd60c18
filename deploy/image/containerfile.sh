# Applies the final stage of deploy/Containerfile to a root filesystem, so that the image `make image` builds
# here follows the same recipe users build with podman or docker. It knows the instructions that stage may
# use: ARG, FROM, WORKDIR, COPY --from=build, ENV, LABEL, USER, ENTRYPOINT, CMD. Anything else (a RUN,
# above all) fails the build: nothing here can run a command inside the image. The build stage is played
# by the checkout: `make build` and `make native` ran its commands, and its /src/node_modules is the
# production part of ours (what its `npm prune --omit=dev` leaves).
# Sourced by build.sh; needs jq.
#
#   containerfile_apply FILE ROOTFS SRC BASE   SRC: a folder standing for the build stage's /src;
#                                              BASE: the value of ARG BASE (must name the local base)
#   prints the image config's "config" object (JSON) on stdout

containerfile_apply() {
  local file=$1 root=$2 src=$3 base=$4 line instr rest workdir=/ config='{}' from from_base
  local -a lines words
  # Join continuation lines, drop comments and blank lines; keep only what follows the last FROM.
  mapfile -t lines < <(sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$file" | grep -v '^[[:space:]]*#' | grep -v '^[[:space:]]*$')
  from=-1
  for i in "${!lines[@]}"; do [[ ${lines[$i]} =~ ^FROM[[:space:]] ]] && from=$i; done
  ((from >= 0)) || { echo "containerfile: no FROM in $file" >&2; return 1; }
  read -r _ from_base _ <<<"${lines[$from]}"
  [[ $from_base == '${BASE}' || $from_base == '$BASE' ]] || { echo "containerfile: the final stage must start FROM \${BASE}, found $from_base" >&2; return 1; }
  [[ $base == local ]] || { echo "containerfile: this builder has only the local base (BASE=local), not $base" >&2; return 1; }
  for line in "${lines[@]:$((from + 1))}"; do
    instr=${line%%[[:space:]]*}
    rest=${line#"$instr"}
    rest=${rest#"${rest%%[![:space:]]*}"}
    case $instr in
      ARG) ;; # only BASE matters, and it is given
      WORKDIR)
        [[ $rest == /* ]] || rest=$workdir/$rest
        workdir=$rest
        mkdir -p "$root$workdir"
        config=$(jq -c --arg w "$workdir" '.WorkingDir = $w' <<<"$config") ;;
      COPY)
        read -r -a words <<<"$rest"
        [[ ${#words[@]} -eq 3 && ${words[0]} == --from=build && ${words[1]} == /src/* ]] ||
          { echo "containerfile: only 'COPY --from=build /src/<path> <dest>' is supported: $line" >&2; return 1; }
        containerfile_copy "$src/${words[1]#/src/}" "${words[2]}" "$root" "$workdir" || return 1 ;;
      ENV)
        [[ $rest =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || { echo "containerfile: ENV must be NAME=value: $line" >&2; return 1; }
        config=$(jq -c --arg e "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}" '.Env = ((.Env // []) + [$e])' <<<"$config") ;;
      LABEL)
        [[ $rest =~ ^([A-Za-z0-9_.-]+)=\"?([^\"]*)\"?$ ]] || { echo "containerfile: LABEL must be one key=value: $line" >&2; return 1; }
        config=$(jq -c --arg k "${BASH_REMATCH[1]}" --arg v "${BASH_REMATCH[2]}" '.Labels[$k] = $v' <<<"$config") ;;
      USER) config=$(jq -c --arg u "$rest" '.User = $u' <<<"$config") ;;
      ENTRYPOINT | CMD)
        jq -e 'type == "array" and all(type == "string")' <<<"$rest" >/dev/null 2>&1 ||
          { echo "containerfile: $instr must be in JSON (exec) form: $line" >&2; return 1; }
        local key=Entrypoint
        [[ $instr == CMD ]] && key=Cmd
        config=$(jq -c --argjson v "$rest" --arg k "$key" '.[$k] = $v' <<<"$config") ;;
      *) echo "containerfile: '$instr' cannot be applied without running the image: $line" >&2; return 1 ;;
    esac
  done
  printf '%s\n' "$config"
}

# COPY semantics: a folder's contents go into the destination folder; a file goes into a destination that
# ends in / (or is .), or becomes the destination. Relative destinations start at WORKDIR.
containerfile_copy() {
  local from=$1 dest=$2 root=$3 workdir=$4
  [[ -e $from ]] || { echo "containerfile: the build stage has no ${from}" >&2; return 1; }
  [[ $dest == /* ]] || dest=$workdir/$dest
  if [[ -d $from ]]; then
    mkdir -p "$root$dest"
    cp -a "$from/." "$root$dest/"
  elif [[ $dest == */ || $dest == */. ]]; then
    mkdir -p "$root$dest"
    cp -a "$from" "$root$dest/"
  else
    mkdir -p "$root$(dirname "$dest")"
    cp -a "$from" "$root$dest"
  fi
}
