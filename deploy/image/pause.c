/*
 * The Pod sandbox ("pause") container of the lab cluster, built here because no registry is reachable.
 * It holds the Pod's namespaces open and does nothing else: as PID 1 of the sandbox it reaps the orphans
 * that are re-parented to it, and it exits 0 on SIGTERM or SIGINT (the kubelet's stop) at once.
 *
 * Signals are blocked and taken synchronously with sigwaitinfo(), so no handler runs between calls and
 * nothing here can be interrupted half-way. Static, no allocation, no file access, no stdio (write(2)
 * only, which keeps the static binary small): it runs as any user on a read-only root with no capabilities.
 *
 *   pause            sleep until SIGTERM/SIGINT
 *   pause -v         print the version and exit
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PAUSE_VERSION
#define PAUSE_VERSION "ironlb-pause"
#endif

static void say(int fd, const char *text) {
  size_t left = strlen(text);
  while (left > 0) {
    ssize_t n = write(fd, text, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return; /* nowhere to report it */
    text += n;
    left -= (size_t)n;
  }
}

/* Collects every child that has exited; with WNOHANG it never waits. */
static void reap(void) {
  for (;;) {
    pid_t pid = waitpid(-1, NULL, WNOHANG);
    if (pid > 0) continue;
    if (pid < 0 && errno == EINTR) continue;
    return; /* 0: children left, none exited; -1 ECHILD: no children */
  }
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "-v") == 0) {
    say(1, PAUSE_VERSION "\n");
    return 0;
  }
  if (argc != 1) {
    say(2, "usage: pause [-v]\n");
    return 2;
  }
  if (getpid() != 1) say(2, "pause: not PID 1; orphans of this namespace are not mine to reap\n");

  sigset_t wanted;
  sigemptyset(&wanted);
  sigaddset(&wanted, SIGTERM);
  sigaddset(&wanted, SIGINT);
  sigaddset(&wanted, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &wanted, NULL) != 0) {
    say(2, "pause: sigprocmask failed\n");
    return 1;
  }
  for (;;) {
    int sig = sigwaitinfo(&wanted, NULL);
    if (sig == SIGTERM || sig == SIGINT) return 0;
    if (sig == SIGCHLD) reap();
    /* -1 with EINTR (a stop/continue under ptrace): wait again */
  }
}
