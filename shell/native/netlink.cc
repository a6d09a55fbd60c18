// One rtnetlink dump (rtnetlink(7)): the caller builds the request (core/net/neighbours.ts encodes
// RTM_GETNEIGH), this sends it on a fresh NETLINK_ROUTE socket and returns every reply byte until
// NLMSG_DONE or NLMSG_ERROR; the caller parses them. It decides nothing and keeps nothing open.
// Bounded: each receive waits at most 1 s (SO_RCVTIMEO), and at most 4096 datagrams are read.
#include "netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace {

constexpr int kMaxDatagrams = 4096;
constexpr size_t kBuffer = 65536;

Napi::Value Fail(Napi::Env env, const char* what, int err, int fd) {
  if (fd >= 0) close(fd);
  Napi::Error e = Napi::Error::New(env, std::string(what) + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, what));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

// True when the datagram ends the dump: it holds NLMSG_DONE or NLMSG_ERROR.
bool Ends(const uint8_t* b, size_t n) {
  size_t at = 0;
  while (at + sizeof(nlmsghdr) <= n) {
    nlmsghdr h;
    memcpy(&h, b + at, sizeof h);
    if (h.nlmsg_type == NLMSG_DONE || h.nlmsg_type == NLMSG_ERROR) return true;
    if (h.nlmsg_len < sizeof(nlmsghdr)) return true;
    at += NLMSG_ALIGN(h.nlmsg_len);
  }
  return false;
}

Napi::Value NetlinkDump(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray()) {
    Napi::TypeError::New(env, "netlinkDump(request: Uint8Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array req = info[0].As<Napi::Uint8Array>();
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return Fail(env, "socket", errno, -1);
  timeval tv{1, 0};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) return Fail(env, "setsockopt", errno, fd);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, req.Data(), req.ByteLength(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) return Fail(env, "sendto", errno, fd);
  std::vector<uint8_t> out;
  std::vector<uint8_t> buf(kBuffer);
  for (int i = 0; i < kMaxDatagrams; i++) {
    ssize_t n = recv(fd, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(env, "recv", errno, fd);
    out.insert(out.end(), buf.begin(), buf.begin() + n);
    if (n == 0 || Ends(buf.data(), static_cast<size_t>(n))) break;
  }
  close(fd);
  return Napi::Buffer<uint8_t>::Copy(env, out.data(), out.size());
}

}  // namespace

void RegisterNetlink(Napi::Env env, Napi::Object exports) { exports.Set("netlinkDump", Napi::Function::New(env, NetlinkDump, "netlinkDump")); }
