// The TCP socket options part of the addon (tcp_socket.cc), registered by the module's Init in
// packet_socket.cc: one addon, one build, one file per idea.
#pragma once
#include <napi.h>

// Adds tcpSocket, setMd5Key and tcpSocketOptions to the module's exports.
void RegisterTcpSocket(Napi::Env env, Napi::Object exports);
