# The lab's base image root filesystem (BASE=local in the Containerfile): the files of the Debian packages
# that Node needs (libc6, libgcc-s1, libstdc++6, as installed on this machine, docs left out) and this
# machine's own Node 20 (/usr/bin/node; Debian 12's nodejs is 18), a merged /usr, a passwd/group with
# root and nobody, and a /tmp. No shell, no package manager: nothing the two binaries do not run.
# Sourced by build.sh; needs dpkg-query.
#
#   base_rootfs DIR     fill DIR; prints the packages and versions it took, one "name version" a line

BASE_PACKAGES=(libc6 libgcc-s1 libstdc++6)

base_rootfs() {
  local root=$1 pkg path dest
  mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root/etc" "$root/tmp"
  chmod 1777 "$root/tmp"
  for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
  for pkg in "${BASE_PACKAGES[@]}"; do
    while IFS= read -r path; do
      case $path in /usr/share/doc/* | /usr/share/man/* | /usr/share/lintian/* | /usr/share/gcc/* | /etc/*) continue ;; esac
      [[ -f $path || -L $path ]] || continue # folders are made as their files need them
      dest=$path
      case $path in /bin/* | /sbin/* | /lib/* | /lib64/*) dest=/usr$path ;; esac
      mkdir -p "$root$(dirname "$dest")"
      cp -a "$path" "$root$dest"
    done < <(dpkg-query -L "$pkg:amd64" 2>/dev/null || dpkg-query -L "$pkg")
    printf '%s %s\n' "$pkg" "$(dpkg-query -W -f '${Version}' "$pkg")"
  done
  cp -a /usr/bin/node "$root/usr/bin/node"
  printf 'node %s\n' "$(/usr/bin/node --version)"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  chmod 0644 "$root/etc/passwd" "$root/etc/group"
}
