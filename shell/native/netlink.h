// The rtnetlink dump part of the addon (netlink.cc), registered by the module's Init in packet_socket.cc.
#pragma once
#include <napi.h>

// Adds netlinkDump to the module's exports.
void RegisterNetlink(Napi::Env env, Napi::Object exports);
