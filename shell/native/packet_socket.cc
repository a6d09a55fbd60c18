// IronLB packet socket: a Linux AF_PACKET/SOCK_RAW socket for one ethertype on one interface,
// read on the libuv loop. It moves whole Ethernet frames in and out and decides nothing: the
// pure responders in core/packet judge every frame, and shell/native/packetSocket.ts wraps this
// class in typed TypeScript.
//
// Life cycle: new PacketSocket({ ifindex, protocol, filter? }) opens and binds; addMembership
// joins a link-layer multicast group; start(cb) polls the fd and calls cb(null, frame, pkttype,
// wireLength, ifindex, vlan) for each frame; send(frame) writes one; close() stops the poll and closes the fd (idempotent; the GC
// finaliser closes a socket that was never started and is no longer referenced).
//
// Facts used (Linux packet(7), netdevice(7), socket(7)):
// - SOCK_RAW frames include the Ethernet header; sends must include it too.
// - The socket is opened with protocol 0 (receives nothing) and bound with the real protocol and
//   the ifindex, so no frame from another interface is queued between socket() and bind(). The BPF
//   filter is attached before the bind for the same reason.
// - PACKET_IGNORE_OUTGOING (Linux 4.20) keeps our own sent frames out of the receive queue; on
//   older kernels they arrive with pkttype PACKET_OUTGOING, which is passed on with every frame,
//   and core/packet/arrival.ts drops them by that type.
// - PACKET_AUXDATA (Linux 2.6.21) adds a tpacket_auxdata control message to each frame; its
//   tp_vlan_tci is valid when tp_status has TP_STATUS_VLAN_VALID (Linux 3.0). The VLAN ID and the
//   sll_ifindex the kernel reports go with every frame, so the caller can tell a frame that belongs
//   to a VLAN (or to another device) from the interface's own.
// - PACKET_ADD_MEMBERSHIP / PACKET_MR_MULTICAST makes the NIC accept a multicast MAC (the
//   solicited-node group of an IPv6 address) without promiscuous mode; the kernel drops the
//   membership when the socket closes.
#include <napi.h>
#include <uv.h>

#include "netlink.h"
#include "tcp_socket.h"
#include "udp_ttl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace {

// Largest frame we read: a 9000-byte jumbo frame plus headers fits. MSG_TRUNC makes recvfrom
// report the real length, so a larger frame is counted as truncated, not silently cut.
constexpr size_t kMaxFrame = 9216 + 64;
// Frames drained per poll wake-up before yielding to the rest of the event loop.
constexpr int kMaxFramesPerWake = 64;

Napi::Value ThrowErrno(Napi::Env env, const char* what, int err) {
  Napi::Error e = Napi::Error::New(env, std::string(what) + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, what));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowType(Napi::Env env, const char* msg) {
  Napi::TypeError::New(env, msg).ThrowAsJavaScriptException();
  return env.Undefined();
}

class PacketSocket : public Napi::ObjectWrap<PacketSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "PacketSocket",
                       {
                           InstanceMethod<&PacketSocket::Send>("send"),
                           InstanceMethod<&PacketSocket::Start>("start"),
                           InstanceMethod<&PacketSocket::Close>("close"),
                           InstanceMethod<&PacketSocket::AddMembership>("addMembership"),
                           InstanceMethod<&PacketSocket::DropMembership>("dropMembership"),
                           InstanceMethod<&PacketSocket::Statistics>("statistics"),
                           InstanceMethod<&PacketSocket::SetRef>("setRef"),
                           InstanceMethod<&PacketSocket::Fd>("fd"),
                       });
  }

  explicit PacketSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PacketSocket>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsObject()) {
      ThrowType(env, "PacketSocket({ ifindex, protocol, filter? }) needs an options object");
      return;
    }
    Napi::Object opts = info[0].As<Napi::Object>();
    Napi::Value ifindex = opts.Get("ifindex");
    Napi::Value protocol = opts.Get("protocol");
    if (!ifindex.IsNumber() || !protocol.IsNumber()) {
      ThrowType(env, "ifindex and protocol must be numbers");
      return;
    }
    ifindex_ = ifindex.As<Napi::Number>().Int32Value();
    protocol_ = protocol.As<Napi::Number>().Uint32Value();
    if (ifindex_ <= 0 || protocol_ == 0 || protocol_ > 0xffff) {
      ThrowType(env, "ifindex must be positive and protocol a 16-bit ethertype");
      return;
    }

    std::vector<sock_filter> program;
    Napi::Value filter = opts.Get("filter");
    if (!filter.IsUndefined()) {
      if (!filter.IsArray()) {
        ThrowType(env, "filter must be an array of { code, jt, jf, k }");
        return;
      }
      Napi::Array arr = filter.As<Napi::Array>();
      if (arr.Length() == 0 || arr.Length() > BPF_MAXINSNS) {
        ThrowType(env, "filter must hold 1 to 4096 instructions");
        return;
      }
      for (uint32_t i = 0; i < arr.Length(); i++) {
        Napi::Value v = arr.Get(i);
        if (!v.IsObject()) {
          ThrowType(env, "filter instruction is not an object");
          return;
        }
        Napi::Object ins = v.As<Napi::Object>();
        sock_filter f{};
        f.code = static_cast<uint16_t>(ins.Get("code").ToNumber().Uint32Value());
        f.jt = static_cast<uint8_t>(ins.Get("jt").ToNumber().Uint32Value());
        f.jf = static_cast<uint8_t>(ins.Get("jf").ToNumber().Uint32Value());
        f.k = ins.Get("k").ToNumber().Uint32Value();
        program.push_back(f);
      }
    }

    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ThrowErrno(env, "socket", errno);
      return;
    }
    if (!program.empty()) {
      sock_fprog prog{};
      prog.len = static_cast<unsigned short>(program.size());
      prog.filter = program.data();
      if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) {
        int err = errno;
        close(fd);
        ThrowErrno(env, "setsockopt(SO_ATTACH_FILTER)", err);
        return;
      }
    }
    int one = 1;
    // Best effort: ENOPROTOOPT before Linux 4.20 is fine (see the header comment).
    (void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0) {
      int err = errno;
      close(fd);
      ThrowErrno(env, "setsockopt(PACKET_AUXDATA)", err);
      return;
    }

    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(static_cast<uint16_t>(protocol_));
    addr.sll_ifindex = ifindex_;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
      int err = errno;
      close(fd);
      ThrowErrno(env, "bind", err);
      return;
    }
    fd_ = fd;
  }

  ~PacketSocket() override {
    // Reached only when not polling: a started socket holds a reference to itself (see Start).
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  int ifindex_ = 0;
  uint32_t protocol_ = 0;
  uv_poll_t* poll_ = nullptr;
  bool referenced_ = true;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> context_;
  std::vector<uint8_t> buffer_ = std::vector<uint8_t>(kMaxFrame);

  bool CheckOpen(Napi::Env env) {
    if (fd_ >= 0) return true;
    Napi::Error::New(env, "packet socket is closed").ThrowAsJavaScriptException();
    return false;
  }

  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsTypedArray()) return ThrowType(env, "send(frame) needs a Uint8Array");
    Napi::Uint8Array frame = info[0].As<Napi::Uint8Array>();
    if (frame.ByteLength() < ETH_HLEN) return ThrowType(env, "frame is shorter than an Ethernet header");
    ssize_t n = send(fd_, frame.Data(), frame.ByteLength(), MSG_DONTWAIT);
    if (n < 0) return ThrowErrno(env, "send", errno);
    return Napi::Number::New(env, static_cast<double>(n));
  }

  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (poll_ != nullptr) {
      Napi::Error::New(env, "packet socket already started").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (info.Length() < 1 || !info[0].IsFunction()) return ThrowType(env, "start(callback) needs a function");
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      Napi::Error::New(env, "no libuv loop").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    auto* poll = new uv_poll_t;
    int rc = uv_poll_init(loop, poll, fd_);
    if (rc != 0) {
      delete poll;
      Napi::Error::New(env, std::string("uv_poll_init: ") + uv_strerror(rc)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    poll->data = this;
    rc = uv_poll_start(poll, UV_READABLE, &PacketSocket::OnReadable);
    if (rc != 0) {
      uv_close(reinterpret_cast<uv_handle_t*>(poll), &PacketSocket::FreePoll);
      Napi::Error::New(env, std::string("uv_poll_start: ") + uv_strerror(rc)).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (!referenced_) uv_unref(reinterpret_cast<uv_handle_t*>(poll));
    poll_ = poll;
    callback_ = Napi::Persistent(info[0].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "IronlbPacketSocket");
    // Keep the JS object (and so this C++ object) alive while the poll can call into it.
    Ref();
    return env.Undefined();
  }

  static void FreePoll(uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); }

  static void OnReadable(uv_poll_t* handle, int status, int events) {
    auto* self = static_cast<PacketSocket*>(handle->data);
    if (self == nullptr || self->fd_ < 0) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    // A local handle on the JS object keeps it (and `self`) alive even if the callback closes the
    // socket, which drops the self-reference taken in Start.
    Napi::Object keepAlive = self->Value();
    (void)keepAlive;
    if (status < 0) {
      self->Deliver(env, {Napi::Error::New(env, std::string("poll: ") + uv_strerror(status)).Value()});
      return;
    }
    if ((events & UV_READABLE) == 0) return;
    for (int i = 0; i < kMaxFramesPerWake && self->fd_ >= 0; i++) {
      sockaddr_ll from{};
      iovec iov{self->buffer_.data(), self->buffer_.size()};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(tpacket_auxdata))];
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      ssize_t n = recvmsg(self->fd_, &msg, MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
        self->Deliver(env, {Napi::Error::New(env, std::string("recvmsg: ") + strerror(errno)).Value()});
        return;
      }
      // -1: no VLAN tag in the frame's metadata (untagged, or the kernel already consumed it).
      int vlan = -1;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
        if (c->cmsg_len < CMSG_LEN(sizeof(tpacket_auxdata))) continue;
        tpacket_auxdata aux{};
        memcpy(&aux, CMSG_DATA(c), sizeof aux);
        if ((aux.tp_status & TP_STATUS_VLAN_VALID) != 0) vlan = aux.tp_vlan_tci & 0x0fff;
      }
      size_t kept = static_cast<size_t>(n) > self->buffer_.size() ? self->buffer_.size() : static_cast<size_t>(n);
      Napi::Buffer<uint8_t> frame = Napi::Buffer<uint8_t>::Copy(env, self->buffer_.data(), kept);
      // Arguments: error (null), frame, packet type (PACKET_HOST 0, BROADCAST 1, MULTICAST 2,
      // OTHERHOST 3, OUTGOING 4), the length on the wire (larger than the frame if cut), the
      // ifindex the kernel says it came in on, and the VLAN ID (-1 for none).
      self->Deliver(env, {env.Null(), frame, Napi::Number::New(env, from.sll_pkttype),
                          Napi::Number::New(env, static_cast<double>(n)), Napi::Number::New(env, from.sll_ifindex),
                          Napi::Number::New(env, vlan)});
    }
  }

  void Deliver(Napi::Env env, const std::initializer_list<napi_value>& args) {
    if (callback_.IsEmpty() || !context_) return;
    callback_.MakeCallback(Value(), args, *context_);
    if (env.IsExceptionPending()) {
      // A throwing JS callback becomes an uncaughtException, as for any other libuv callback.
      Napi::Error err = env.GetAndClearPendingException();
      napi_fatal_exception(env, err.Value());
    }
  }

  void StopPolling() {
    if (poll_ == nullptr) return;
    uv_poll_stop(poll_);
    poll_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), &PacketSocket::FreePoll);
    poll_ = nullptr;
    callback_.Reset();
    context_.reset();
    Unref();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    // libuv: stop the poll before the fd is closed; the handle itself is freed on the loop.
    StopPolling();
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    return info.Env().Undefined();
  }

  Napi::Value Membership(const Napi::CallbackInfo& info, int op, const char* name) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::Uint8Array>().ByteLength() != ETH_ALEN)
      return ThrowType(env, "membership needs a 6-byte MAC address");
    Napi::Uint8Array mac = info[0].As<Napi::Uint8Array>();
    packet_mreq mr{};
    mr.mr_ifindex = ifindex_;
    mr.mr_type = PACKET_MR_MULTICAST;
    mr.mr_alen = ETH_ALEN;
    memcpy(mr.mr_address, mac.Data(), ETH_ALEN);
    if (setsockopt(fd_, SOL_PACKET, op, &mr, sizeof mr) < 0) return ThrowErrno(env, name, errno);
    return env.Undefined();
  }

  Napi::Value AddMembership(const Napi::CallbackInfo& info) {
    return Membership(info, PACKET_ADD_MEMBERSHIP, "setsockopt(PACKET_ADD_MEMBERSHIP)");
  }

  Napi::Value DropMembership(const Napi::CallbackInfo& info) {
    return Membership(info, PACKET_DROP_MEMBERSHIP, "setsockopt(PACKET_DROP_MEMBERSHIP)");
  }

  // packet(7) PACKET_STATISTICS: frames received and dropped (receive queue full) since the last
  // call; the kernel resets both on every read.
  Napi::Value Statistics(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    tpacket_stats st{};
    socklen_t len = sizeof st;
    if (getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
      return ThrowErrno(env, "getsockopt(PACKET_STATISTICS)", errno);
    Napi::Object out = Napi::Object::New(env);
    out.Set("packets", Napi::Number::New(env, st.tp_packets));
    out.Set("drops", Napi::Number::New(env, st.tp_drops));
    return out;
  }

  // setRef(false): a started socket no longer keeps the process alive (like net.Socket#unref).
  Napi::Value SetRef(const Napi::CallbackInfo& info) {
    referenced_ = info.Length() < 1 || info[0].ToBoolean().Value();
    if (poll_ != nullptr) {
      if (referenced_)
        uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
      else
        uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    }
    return info.Env().Undefined();
  }

  // The descriptor number, for specs that check no fd leaks (-1 once closed).
  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("PacketSocket", PacketSocket::Define(env));
  exports.Set("ETH_P_ARP", Napi::Number::New(env, ETH_P_ARP));
  exports.Set("ETH_P_IPV6", Napi::Number::New(env, ETH_P_IPV6));
  exports.Set("ETH_P_ALL", Napi::Number::New(env, ETH_P_ALL));
  RegisterTcpSocket(env, exports);
  RegisterNetlink(env, exports);
  RegisterUdpTtl(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(ironlb_packet, Init)
