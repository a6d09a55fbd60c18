// A UDP socket that reports each datagram's received TTL (IPv4, IP_RECVTTL) or hop limit (IPv6,
// IPV6_RECVHOPLIMIT), which Node's dgram cannot: BFD drops single-hop packets whose TTL is not
// 255 (RFC 5881 §5) and multi-hop ones below the profile's minimumTtl (RFC 5883 §2). Linux applies
// IP_MINTTL and IPV6_MINHOPCOUNT to TCP only (specs/shell/native/udpTtl.netns.spec.ts shows a UDP
// socket with them still receiving TTL 254), so the check is made in JS from what this reports.
// It also sends, so that a BFD session's packets can leave a socket bound to a device (a VRF's):
// dgram has no SO_BINDTODEVICE either.
//
// new UdpTtlSocket({ family: 4|6, address, port, device?, ttl?, reuseAddress? }) opens (IPv6: IPv6
// only), asks for the TTL, binds to `device` (SO_BINDTODEVICE) if given, sets the TTL / hop limit it
// sends with, SO_REUSEADDR if asked (a socket bound to a device and one bound to none may then share
// a port: Linux refuses that pair otherwise) and binds. An address may carry a zone ("fe80::1%eth0").
// start(cb) polls the fd and calls cb(null, bytes, fromAddress, fromPort, ttl) per datagram (ttl -1
// when the kernel gave none); send(bytes, address, port) sends one datagram now or throws the errno;
// close() stops and closes (idempotent).
#include "udp_ttl.h"

#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

namespace {

constexpr size_t kMaxDatagram = 2048;  // BFD control packets are at most 24 + 28 bytes; anything larger is cut and still judged
constexpr int kMaxPerWake = 64;

Napi::Value ThrowErrno(Napi::Env env, const char* what, int err) {
  Napi::Error e = Napi::Error::New(env, std::string(what) + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, what));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

// `text` ("192.0.2.1", "2001:db8::1", "fe80::1%eth0") and `port` as a sockaddr of the family; false if it is not one.
bool ParseScoped(bool v6, const std::string& text, int port, sockaddr_storage* ss, socklen_t* len) {
  *ss = sockaddr_storage{};
  if (!v6) {
    auto* a = reinterpret_cast<sockaddr_in*>(ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *a;
    return inet_pton(AF_INET, text.c_str(), &a->sin_addr) == 1;
  }
  auto* a = reinterpret_cast<sockaddr_in6*>(ss);
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(static_cast<uint16_t>(port));
  *len = sizeof *a;
  const size_t zone = text.find('%');
  if (zone != std::string::npos) {
    a->sin6_scope_id = if_nametoindex(text.substr(zone + 1).c_str());
    if (a->sin6_scope_id == 0) return false;
  }
  return inet_pton(AF_INET6, text.substr(0, zone).c_str(), &a->sin6_addr) == 1;
}

class UdpTtlSocket : public Napi::ObjectWrap<UdpTtlSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "UdpTtlSocket",
                       {InstanceMethod<&UdpTtlSocket::Start>("start"), InstanceMethod<&UdpTtlSocket::Close>("close"),
                        InstanceMethod<&UdpTtlSocket::Port>("port"), InstanceMethod<&UdpTtlSocket::Fd>("fd"),
                        InstanceMethod<&UdpTtlSocket::Send>("send"), InstanceMethod<&UdpTtlSocket::Device>("device")});
  }

  explicit UdpTtlSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UdpTtlSocket>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) {
      Napi::TypeError::New(env, "new UdpTtlSocket({ family, address, port })").ThrowAsJavaScriptException();
      return;
    }
    Napi::Object o = info[0].As<Napi::Object>();
    if (!o.Get("family").IsNumber() || !o.Get("address").IsString() || !o.Get("port").IsNumber()) {
      Napi::TypeError::New(env, "family (4 or 6), address (an IP literal) and port are required").ThrowAsJavaScriptException();
      return;
    }
    v6_ = o.Get("family").As<Napi::Number>().Int32Value() == 6;
    std::string address = o.Get("address").As<Napi::String>().Utf8Value();
    int port = o.Get("port").As<Napi::Number>().Int32Value();
    std::string device;
    if (o.Get("device").IsString()) device = o.Get("device").As<Napi::String>().Utf8Value();
    if (!o.Get("device").IsUndefined() && (!o.Get("device").IsString() || device.empty() || device.size() >= IF_NAMESIZE)) {
      Napi::TypeError::New(env, "device must be an interface name of 1 to 15 characters").ThrowAsJavaScriptException();
      return;
    }
    int ttl = 0;
    if (!o.Get("ttl").IsUndefined()) {
      ttl = o.Get("ttl").IsNumber() ? o.Get("ttl").As<Napi::Number>().Int32Value() : 0;
      if (ttl < 1 || ttl > 255) {
        Napi::TypeError::New(env, "ttl must be 1 to 255").ThrowAsJavaScriptException();
        return;
      }
    }
    const bool reuse = o.Get("reuseAddress").IsBoolean() && o.Get("reuseAddress").As<Napi::Boolean>().Value();
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (!ParseScoped(v6_, address, port, &ss, &len)) {
      Napi::TypeError::New(env, std::string("address is not an IPv") + (v6_ ? "6" : "4") + " literal").ThrowAsJavaScriptException();
      return;
    }
    int fd = socket(v6_ ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ThrowErrno(env, "socket", errno);
      return;
    }
    int one = 1;
    const bool ok = v6_ ? setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one) == 0
                        : setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one) == 0;
    if (!ok) {
      int err = errno;
      close(fd);
      ThrowErrno(env, "setsockopt", err);
      return;
    }
    // Each before bind: the device and SO_REUSEADDR take part in the kernel's check for a taken port.
    const char* failed = nullptr;
    if (!device.empty() && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size())) != 0) failed = "setsockopt(SO_BINDTODEVICE)";
    if (failed == nullptr && reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) failed = "setsockopt(SO_REUSEADDR)";
    if (failed == nullptr && ttl > 0 && (v6_ ? setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl) : setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl)) != 0)
      failed = "setsockopt(TTL)";
    if (failed != nullptr) {
      int err = errno;
      close(fd);
      ThrowErrno(env, failed, err);
      return;
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      int err = errno;
      close(fd);
      ThrowErrno(env, "bind", err);
      return;
    }
    fd_ = fd;
  }

  ~UdpTtlSocket() override {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool v6_ = false;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  std::vector<uint8_t> buffer_ = std::vector<uint8_t>(kMaxDatagram);

  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (fd_ < 0 || poll_ != nullptr || info.Length() < 1 || !info[0].IsFunction()) {
      Napi::Error::New(env, "start(callback): the socket must be open and not started").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      Napi::Error::New(env, "no libuv loop").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto* poll = new uv_poll_t;
    int rc = uv_poll_init(loop, poll, fd_);
    if (rc == 0) {
      poll->data = this;
      rc = uv_poll_start(poll, UV_READABLE, &UdpTtlSocket::OnReadable);
      if (rc != 0) uv_close(reinterpret_cast<uv_handle_t*>(poll), &UdpTtlSocket::FreePoll);
    } else {
      delete poll;
    }
    if (rc != 0) {
      Napi::Error::New(env, std::string("uv_poll: ") + uv_strerror(rc)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    poll_ = poll;
    callback_ = Napi::Persistent(info[0].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "IronlbUdpTtlSocket");
    Ref();  // alive while the poll may call into it
    napi_add_env_cleanup_hook(env, &UdpTtlSocket::OnEnvironmentExit, this);
    return env.Undefined();
  }

  // The BFD worker thread (shell/bfd/worker.ts) can end with this socket open (the process exits): a
  // worker's loop must not close with our poll handle live, or Node aborts the whole process. The
  // environment's teardown runs this hook. The loop finishes the close after this library is unloaded,
  // so no callback of ours may run then: the handle (a few bytes, once per socket) is left unfreed.
  static void OnEnvironmentExit(void* arg) {
    auto* self = static_cast<UdpTtlSocket*>(arg);
    if (self->poll_ != nullptr) {
      uv_poll_stop(self->poll_);
      self->poll_->data = nullptr;
      uv_close(reinterpret_cast<uv_handle_t*>(self->poll_), nullptr);
      self->poll_ = nullptr;
    }
    self->callback_.Reset();
    self->context_.reset();
    if (self->fd_ >= 0) close(self->fd_);
    self->fd_ = -1;
  }

  void StopPoll() {
    if (poll_ == nullptr) return;
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), &UdpTtlSocket::FreePoll);
    poll_ = nullptr;
  }

  static void FreePoll(uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); }

  // The TTL or hop limit control message of one datagram, -1 without one.
  static int TtlOf(msghdr* msg) {
    for (cmsghdr* c = CMSG_FIRSTHDR(msg); c != nullptr; c = CMSG_NXTHDR(msg, c)) {
      const bool v4 = c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL;
      const bool v6 = c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT;
      if ((v4 || v6) && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
        int ttl = 0;
        memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
        return ttl;
      }
    }
    return -1;
  }

  static void OnReadable(uv_poll_t* handle, int status, int events) {
    auto* self = static_cast<UdpTtlSocket*>(handle->data);
    if (self == nullptr || self->fd_ < 0) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    Napi::Object keepAlive = self->Value();
    (void)keepAlive;
    if (status < 0) return self->Deliver(env, {Napi::Error::New(env, std::string("poll: ") + uv_strerror(status)).Value()});
    if ((events & UV_READABLE) == 0) return;
    for (int i = 0; i < kMaxPerWake && self->fd_ >= 0; i++) {
      sockaddr_storage from{};
      iovec iov{self->buffer_.data(), self->buffer_.size()};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int)) * 2];
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      ssize_t n = recvmsg(self->fd_, &msg, MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        return self->Deliver(env, {Napi::Error::New(env, std::string("recvmsg: ") + strerror(errno)).Value()});
      }
      char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 1] = "";
      int port = 0;
      if (from.ss_family == AF_INET6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&from);
        inet_ntop(AF_INET6, &a->sin6_addr, text, INET6_ADDRSTRLEN);
        // A link-local sender is only known with its interface: "fe80::1%eth0", as Node writes it
        // (BFD to an unnumbered BGP peer matches on that).
        char ifname[IF_NAMESIZE] = "";
        if (a->sin6_scope_id != 0 && if_indextoname(a->sin6_scope_id, ifname) != nullptr) {
          strncat(text, "%", sizeof text - strlen(text) - 1);
          strncat(text, ifname, sizeof text - strlen(text) - 1);
        }
        port = ntohs(a->sin6_port);
      } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&from);
        inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
        port = ntohs(a->sin_port);
      }
      self->Deliver(env, {env.Null(), Napi::Buffer<uint8_t>::Copy(env, self->buffer_.data(), static_cast<size_t>(n)), Napi::String::New(env, text),
                          Napi::Number::New(env, port), Napi::Number::New(env, TtlOf(&msg))});
    }
  }

  void Deliver(Napi::Env env, const std::initializer_list<napi_value>& args) {
    if (callback_.IsEmpty() || !context_) return;
    callback_.MakeCallback(Value(), args, *context_);
    if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (poll_ != nullptr) {
      napi_remove_env_cleanup_hook(info.Env(), &UdpTtlSocket::OnEnvironmentExit, this);
      StopPoll();
      callback_.Reset();
      context_.reset();
      Unref();
    }
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    return info.Env().Undefined();
  }

  // The bound port (the one asked for, or the kernel's pick for 0), -1 once closed.
  Napi::Value Port(const Napi::CallbackInfo& info) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (fd_ < 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return Napi::Number::New(info.Env(), -1);
    const int port = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port) : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    return Napi::Number::New(info.Env(), port);
  }

  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }

  // The device the socket is bound to (SO_BINDTODEVICE), "" for none or once closed.
  Napi::Value Device(const Napi::CallbackInfo& info) {
    char name[IF_NAMESIZE + 1] = "";
    socklen_t len = IF_NAMESIZE;
    if (fd_ < 0 || getsockopt(fd_, SOL_SOCKET, SO_BINDTODEVICE, name, &len) != 0) len = 0;
    return Napi::String::New(info.Env(), std::string(name, strnlen(name, len)));
  }

  // send(bytes, address, port): one datagram, now (non-blocking); throws with errno on failure.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsBuffer() || !info[1].IsString() || !info[2].IsNumber()) {
      Napi::TypeError::New(env, "send(bytes: Buffer, address: string, port: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (fd_ < 0) return ThrowErrno(env, "sendto", EBADF);
    sockaddr_storage to{};
    socklen_t len = 0;
    const int port = info[2].As<Napi::Number>().Int32Value();
    if (port < 1 || port > 65535 || !ParseScoped(v6_, info[1].As<Napi::String>().Utf8Value(), port, &to, &len)) {
      Napi::TypeError::New(env, std::string("send: not an IPv") + (v6_ ? "6" : "4") + " address and port").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Buffer<uint8_t> bytes = info[0].As<Napi::Buffer<uint8_t>>();
    if (sendto(fd_, bytes.Data(), bytes.Length(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to), len) < 0) return ThrowErrno(env, "sendto", errno);
    return env.Undefined();
  }
};

}  // namespace

void RegisterUdpTtl(Napi::Env env, Napi::Object exports) { exports.Set("UdpTtlSocket", UdpTtlSocket::Define(env)); }
