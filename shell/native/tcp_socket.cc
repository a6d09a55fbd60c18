// IronLB TCP socket options: a TCP socket made with the options Node's net module cannot set, returned
// as a bare file descriptor that Node then adopts (`new net.Socket({ fd })` and connect, or
// `net.createServer().listen({ fd })`). It decides nothing; shell/native/tcpSocket.ts wraps it.
//
//   tcpSocket({ family, md5Keys?, bindDevice?, sourceAddress?, sourcePort?, ttl?, minTtl?, listen? }) -> fd
//   setMd5Key(fd, { peer, prefixLength?, key })   key: 1-80 bytes adds or replaces, null removes
//   tcpSocketOptions(fd) -> { family, ttl, minTtl, bindDevice }   read back, for specs
//
// Facts used (Linux tcp(7), socket(7), ip(7), ipv6(7), include/uapi/linux/tcp.h):
// - TCP_MD5SIG (RFC 2385) keys are per peer address; they must exist before connect() (the SYN is
//   signed) and on a listening socket before the peer's SYN arrives (an accepted socket inherits the
//   key). TCP_MD5SIG_EXT with TCP_MD5SIG_FLAG_PREFIX (Linux 4.13) keys a whole prefix. A zero key
//   length deletes the key for that address.
// - SO_BINDTODEVICE restricts the socket to one device (a VRF's master device or an ordinary link):
//   routing is looked up on that device only, and received segments must arrive on it.
// - IP_TTL / IPV6_UNICAST_HOPS set the TTL of every segment we send (eBGP multi-hop);
//   IP_MINTTL / IPV6_MINHOPCOUNT (RFC 5082, GTSM) make the kernel drop segments below a TTL.
// - IPv6 sockets are IPV6_V6ONLY, so each family has its own socket and its own keys.
// - The key's bytes are copied into the kernel and never into a message: every error names the
//   option, the field and the peer, never the key.
#include "tcp_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace {

struct Md5Key {
  sockaddr_storage peer{};
  int prefixLength = -1;  // -1: the single address (plain TCP_MD5SIG)
  std::vector<uint8_t> key;  // empty: delete
  std::string peerText;
};

struct Options {
  int family = 0;
  std::vector<Md5Key> md5Keys;
  std::string bindDevice;
  std::string sourceAddress;
  int sourcePort = -1;
  int ttl = -1;
  int minTtl = -1;
  int backlog = -1;
};

// A failure before or after socket(): a TypeError for bad arguments, an errno Error for the kernel.
struct Failure {
  bool any = false;
  bool isType = false;
  std::string message;
  std::string syscall;
  int err = 0;
};

Failure TypeFailure(const std::string& msg) { return Failure{true, true, msg, "", 0}; }
Failure ErrnoFailure(const std::string& syscall, const std::string& about, int err) {
  return Failure{true, false, syscall + " (" + about + "): " + strerror(err), syscall, err};
}

Napi::Value Throw(Napi::Env env, const Failure& f) {
  if (f.isType) {
    Napi::TypeError::New(env, f.message).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Error e = Napi::Error::New(env, f.message);
  e.Set("errno", Napi::Number::New(env, f.err));
  e.Set("syscall", Napi::String::New(env, f.syscall));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

// An optional integer field in [lo, hi]; `out` keeps -1 when the field is absent.
Failure IntField(Napi::Object o, const char* name, int lo, int hi, int* out) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return Failure{};
  if (!v.IsNumber()) return TypeFailure(std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (d != static_cast<double>(static_cast<long long>(d)) || d < lo || d > hi)
    return TypeFailure(std::string(name) + " must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  *out = static_cast<int>(d);
  return Failure{};
}

Failure StringField(Napi::Object o, const char* name, size_t maxLen, std::string* out) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return Failure{};
  if (!v.IsString()) return TypeFailure(std::string(name) + " must be a string");
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s.empty() || s.size() > maxLen) return TypeFailure(std::string(name) + " must be 1 to " + std::to_string(maxLen) + " characters");
  *out = s;
  return Failure{};
}

// Parses `text` as an address of `family` into `out` with `port`.
bool ParseAddress(int family, const std::string& text, int port, sockaddr_storage* out, socklen_t* len) {
  *out = sockaddr_storage{};
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(out);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    if (len != nullptr) *len = sizeof(sockaddr_in);
    return inet_pton(AF_INET, text.c_str(), &a->sin_addr) == 1;
  }
  auto* a = reinterpret_cast<sockaddr_in6*>(out);
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(static_cast<uint16_t>(port));
  if (len != nullptr) *len = sizeof(sockaddr_in6);
  return inet_pton(AF_INET6, text.c_str(), &a->sin6_addr) == 1;
}

// One { peer, prefixLength?, key } object; `field` names it in errors. A null key means delete.
Failure ParseMd5Key(int family, Napi::Value v, const std::string& field, Md5Key* out) {
  if (!v.IsObject()) return TypeFailure(field + " must be an object { peer, prefixLength?, key }");
  Napi::Object o = v.As<Napi::Object>();
  Napi::Value peer = o.Get("peer");
  if (!peer.IsString()) return TypeFailure(field + ".peer must be a string");
  out->peerText = peer.As<Napi::String>().Utf8Value();
  if (!ParseAddress(family, out->peerText, 0, &out->peer, nullptr))
    return TypeFailure(field + ".peer \"" + out->peerText + "\" is not an IPv" + (family == AF_INET ? "4" : "6") + " address");
  int maxPrefix = family == AF_INET ? 32 : 128;
  Failure f = IntField(o, "prefixLength", 0, maxPrefix, &out->prefixLength);
  if (f.any) return TypeFailure(field + "." + f.message);
  Napi::Value key = o.Get("key");
  if (key.IsNull()) return Failure{};
  if (!key.IsTypedArray() || key.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    return TypeFailure(field + ".key must be a Uint8Array (or null to remove)");
  Napi::Uint8Array bytes = key.As<Napi::Uint8Array>();
  if (bytes.ByteLength() < 1 || bytes.ByteLength() > TCP_MD5SIG_MAXKEYLEN)
    return TypeFailure(field + ".key must be 1 to " + std::to_string(TCP_MD5SIG_MAXKEYLEN) + " bytes");
  out->key.assign(bytes.Data(), bytes.Data() + bytes.ByteLength());
  return Failure{};
}

Failure ParseOptions(Napi::Value v, Options* out) {
  if (!v.IsObject()) return TypeFailure("tcpSocket needs an options object { family, ... }");
  Napi::Object o = v.As<Napi::Object>();
  int family = -1;
  Failure f = IntField(o, "family", 4, 6, &family);
  if (f.any) return f;
  if (family != 4 && family != 6) return TypeFailure("family must be 4 or 6");
  out->family = family == 4 ? AF_INET : AF_INET6;
  Napi::Value keys = o.Get("md5Keys");
  if (!keys.IsUndefined()) {
    if (!keys.IsArray()) return TypeFailure("md5Keys must be an array");
    Napi::Array arr = keys.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) {
      Md5Key k;
      std::string field = "md5Keys[" + std::to_string(i) + "]";
      f = ParseMd5Key(out->family, arr.Get(i), field, &k);
      if (f.any) return f;
      if (k.key.empty()) return TypeFailure(field + ".key must be bytes here (null only removes a key with setMd5Key)");
      out->md5Keys.push_back(std::move(k));
    }
  }
  if ((f = StringField(o, "bindDevice", IFNAMSIZ - 1, &out->bindDevice)).any) return f;
  if ((f = StringField(o, "sourceAddress", INET6_ADDRSTRLEN, &out->sourceAddress)).any) return f;
  if ((f = IntField(o, "sourcePort", 0, 65535, &out->sourcePort)).any) return f;
  if ((f = IntField(o, "ttl", 1, 255, &out->ttl)).any) return f;
  if ((f = IntField(o, "minTtl", 1, 255, &out->minTtl)).any) return f;
  if ((f = IntField(o, "listen", 1, 65535, &out->backlog)).any) return f;
  sockaddr_storage ignored;
  if (!out->sourceAddress.empty() && !ParseAddress(out->family, out->sourceAddress, 0, &ignored, nullptr))
    return TypeFailure("sourceAddress \"" + out->sourceAddress + "\" is not an IPv" + (family == 4 ? "4" : "6") + " address");
  return Failure{};
}

Failure SetInt(int fd, int level, int name, int value, const char* syscall, const std::string& about) {
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) return ErrnoFailure(syscall, about, errno);
  return Failure{};
}

Failure ApplyMd5Key(int fd, const Md5Key& k) {
  tcp_md5sig sig{};
  memcpy(&sig.tcpm_addr, &k.peer, sizeof k.peer);
  sig.tcpm_keylen = static_cast<uint16_t>(k.key.size());
  if (!k.key.empty()) memcpy(sig.tcpm_key, k.key.data(), k.key.size());
  int option = TCP_MD5SIG;
  if (k.prefixLength >= 0) {
    option = TCP_MD5SIG_EXT;
    sig.tcpm_flags = TCP_MD5SIG_FLAG_PREFIX;
    sig.tcpm_prefixlen = static_cast<uint8_t>(k.prefixLength);
  }
  int rc = setsockopt(fd, IPPROTO_TCP, option, &sig, sizeof sig);
  int err = errno;
  explicit_bzero(&sig, sizeof sig);  // the key does not linger on the stack
  std::string about = "peer " + k.peerText + (k.prefixLength >= 0 ? "/" + std::to_string(k.prefixLength) : "");
  if (rc < 0) return ErrnoFailure(option == TCP_MD5SIG ? "setsockopt(TCP_MD5SIG)" : "setsockopt(TCP_MD5SIG_EXT)", about, err);
  return Failure{};
}

// Every option in the order the kernel needs: device, TTLs and keys before bind, bind before listen.
Failure Configure(int fd, const Options& o) {
  Failure f;
  bool v4 = o.family == AF_INET;
  if (o.backlog > 0 && (f = SetInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "setsockopt(SO_REUSEADDR)", "listening socket")).any) return f;
  // IPv6 only: an IPv4 peer goes to an IPv4 socket, whose keys are IPv4 (an IPv6 socket would see it as
  // ::ffff:a.b.c.d), and an IPv4 and an IPv6 listener can share a port.
  if (!v4 && (f = SetInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "setsockopt(IPV6_V6ONLY)", "IPv6 socket")).any) return f;
  if (!o.bindDevice.empty() && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o.bindDevice.c_str(), static_cast<socklen_t>(o.bindDevice.size())) < 0)
    return ErrnoFailure("setsockopt(SO_BINDTODEVICE)", "device " + o.bindDevice, errno);
  if (o.ttl > 0 && (f = SetInt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_TTL : IPV6_UNICAST_HOPS, o.ttl, v4 ? "setsockopt(IP_TTL)" : "setsockopt(IPV6_UNICAST_HOPS)", "ttl " + std::to_string(o.ttl))).any)
    return f;
  if (o.minTtl > 0 && (f = SetInt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_MINTTL : IPV6_MINHOPCOUNT, o.minTtl, v4 ? "setsockopt(IP_MINTTL)" : "setsockopt(IPV6_MINHOPCOUNT)", "minTtl " + std::to_string(o.minTtl))).any)
    return f;
  for (const Md5Key& k : o.md5Keys)
    if ((f = ApplyMd5Key(fd, k)).any) return f;
  if (o.backlog > 0 || !o.sourceAddress.empty() || o.sourcePort >= 0) {
    sockaddr_storage addr{};
    socklen_t len = 0;
    ParseAddress(o.family, o.sourceAddress.empty() ? (v4 ? "0.0.0.0" : "::") : o.sourceAddress, o.sourcePort < 0 ? 0 : o.sourcePort, &addr, &len);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) < 0)
      return ErrnoFailure("bind", (o.sourceAddress.empty() ? std::string("any address") : o.sourceAddress) + " port " + std::to_string(o.sourcePort < 0 ? 0 : o.sourcePort), errno);
  }
  if (o.backlog > 0 && listen(fd, o.backlog) < 0) return ErrnoFailure("listen", "backlog " + std::to_string(o.backlog), errno);
  return Failure{};
}

Napi::Value TcpSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Options o;
  Failure f = ParseOptions(info.Length() < 1 ? env.Undefined() : info[0], &o);
  if (env.IsExceptionPending()) return env.Undefined();
  if (f.any) return Throw(env, f);
  int fd = socket(o.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) return Throw(env, ErrnoFailure("socket", o.family == AF_INET ? "IPv4 TCP" : "IPv6 TCP", errno));
  f = Configure(fd, o);
  for (Md5Key& k : o.md5Keys) explicit_bzero(k.key.data(), k.key.size());
  if (f.any) {
    close(fd);
    return Throw(env, f);
  }
  return Napi::Number::New(env, fd);
}

// The socket's address family, from the kernel (a listening socket Node adopted is still ours to key).
int FamilyOf(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) return -1;
  return addr.ss_family;
}

Napi::Value SetMd5Key(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber()) return Throw(env, TypeFailure("setMd5Key(fd, { peer, prefixLength?, key }) needs a descriptor and a key"));
  int fd = info[0].As<Napi::Number>().Int32Value();
  int family = FamilyOf(fd);
  if (family < 0) return Throw(env, ErrnoFailure("getsockname", "descriptor " + std::to_string(fd), errno));
  if (family != AF_INET && family != AF_INET6) return Throw(env, TypeFailure("descriptor " + std::to_string(fd) + " is not an IPv4 or IPv6 socket"));
  Md5Key k;
  Failure f = ParseMd5Key(family, info[1], "key", &k);
  if (env.IsExceptionPending()) return env.Undefined();
  if (f.any) return Throw(env, f);
  f = ApplyMd5Key(fd, k);
  explicit_bzero(k.key.data(), k.key.size());
  if (f.any) return Throw(env, f);
  return env.Undefined();
}

int GetInt(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  return getsockopt(fd, level, name, &v, &len) < 0 ? -1 : v;
}

Napi::Value TcpSocketOptions(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return Throw(env, TypeFailure("tcpSocketOptions(fd) needs a descriptor"));
  int fd = info[0].As<Napi::Number>().Int32Value();
  int family = FamilyOf(fd);
  if (family < 0) return Throw(env, ErrnoFailure("getsockname", "descriptor " + std::to_string(fd), errno));
  bool v4 = family == AF_INET;
  char device[IFNAMSIZ + 1] = {0};
  socklen_t len = IFNAMSIZ;
  if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device, &len) < 0) len = 0;
  Napi::Object out = Napi::Object::New(env);
  out.Set("family", Napi::Number::New(env, v4 ? 4 : family == AF_INET6 ? 6 : 0));
  out.Set("ttl", Napi::Number::New(env, GetInt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_TTL : IPV6_UNICAST_HOPS)));
  out.Set("minTtl", Napi::Number::New(env, GetInt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_MINTTL : IPV6_MINHOPCOUNT)));
  out.Set("bindDevice", Napi::String::New(env, std::string(device, strnlen(device, len))));
  return out;
}

}  // namespace

void RegisterTcpSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("tcpSocket", Napi::Function::New<TcpSocket>(env, "tcpSocket"));
  exports.Set("setMd5Key", Napi::Function::New<SetMd5Key>(env, "setMd5Key"));
  exports.Set("tcpSocketOptions", Napi::Function::New<TcpSocketOptions>(env, "tcpSocketOptions"));
}
