// A UDP receiving socket that reports each datagram's received TTL (IPv4, IP_RECVTTL) or hop limit
// (IPv6, IPV6_RECVHOPLIMIT), which Node's dgram cannot: BFD drops single-hop packets whose TTL is not
// 255 (RFC 5881 §5) and multi-hop ones below the profile's minimumTtl (RFC 5883 §2). Linux applies
// IP_MINTTL and IPV6_MINHOPCOUNT to TCP only (specs/shell/native/udpTtl.netns.spec.ts shows a UDP
// socket with them still receiving TTL 254), so the check is made in JS from what this reports.
//
// new UdpTtlSocket({ family: 4|6, address, port }) opens (IPv6: IPv6 only), asks for the TTL and binds;
// start(cb) polls the fd and calls cb(null, bytes, fromAddress, fromPort, ttl) per datagram (ttl -1
// when the kernel gave none); close() stops and closes (idempotent). Receive only: nothing is sent.
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

class UdpTtlSocket : public Napi::ObjectWrap<UdpTtlSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "UdpTtlSocket",
                       {InstanceMethod<&UdpTtlSocket::Start>("start"), InstanceMethod<&UdpTtlSocket::Close>("close"),
                        InstanceMethod<&UdpTtlSocket::Port>("port"), InstanceMethod<&UdpTtlSocket::Fd>("fd")});
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
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (v6_) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_port = htons(static_cast<uint16_t>(port));
      if (inet_pton(AF_INET6, address.c_str(), &a->sin6_addr) != 1) {
        Napi::TypeError::New(env, "address is not an IPv6 literal").ThrowAsJavaScriptException();
        return;
      }
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_port = htons(static_cast<uint16_t>(port));
      if (inet_pton(AF_INET, address.c_str(), &a->sin_addr) != 1) {
        Napi::TypeError::New(env, "address is not an IPv4 literal").ThrowAsJavaScriptException();
        return;
      }
      len = sizeof *a;
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
};

}  // namespace

void RegisterUdpTtl(Napi::Env env, Napi::Object exports) { exports.Set("UdpTtlSocket", UdpTtlSocket::Define(env)); }
