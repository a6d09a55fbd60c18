// ambient: the image's entrypoint, so that a non-root speaker keeps NET_RAW (and NET_BIND_SERVICE) across
// its exec of node. `ambient PROGRAM ARGS...` makes every capability this process is permitted ambient,
// then execs PROGRAM (found on PATH).
//
// Why (capabilities(7), "Transformation of capabilities during execve()"): a Pod's `capabilities.add`
// puts NET_RAW in the container's bounding, permitted and effective sets, but for a non-root user an
// exec keeps only ambient capabilities, and containerd clears the ambient set (Kubernetes defines none).
// This file carries the file capabilities cap_net_raw,cap_net_bind_service+p (permitted, no effective
// bit): after its own exec it holds those of them the bounding set allows (none in a Pod that drops ALL
// and adds nothing, as the controller's), never more than the container already had (no_new_privs from
// allowPrivilegeEscalation: false caps it at the old permitted set). Raising an ambient capability
// needs it permitted and inheritable; a process may add a permitted one to its inheritable set.
// Without the effective bit a missing capability is no error: the program starts without it.
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: ambient PROGRAM [ARGS...]\n");
    return 2;
  }
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capget, &header, data) != 0) {
    perror("ambient: capget");
    return 126;
  }
  int any = 0;
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
    any |= data[i].permitted != 0;
    data[i].inheritable |= data[i].permitted;
  }
  // uid 0 needs none of this (its exec gains the bounding set), nor does a process permitted nothing.
  if (any && getuid() != 0) {
    if (syscall(SYS_capset, &header, data) != 0) {
      perror("ambient: capset");
      return 126;
    }
    for (int cap = 0; cap < 32 * _LINUX_CAPABILITY_U32S_3; cap++) {
      if (!(data[cap / 32].permitted & (1u << (cap % 32)))) continue;
      if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) {
        fprintf(stderr, "ambient: raising capability %d: %s\n", cap, strerror(errno));
        return 126;
      }
    }
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "ambient: exec %s: %s\n", argv[1], strerror(errno));
  return 127;
}
