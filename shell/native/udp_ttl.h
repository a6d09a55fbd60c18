// The TTL-reading UDP receiver of the addon (udp_ttl.cc), registered by the module's Init in packet_socket.cc.
#pragma once
#include <napi.h>

// Adds the UdpTtlSocket class to the module's exports.
void RegisterUdpTtl(Napi::Env env, Napi::Object exports);
