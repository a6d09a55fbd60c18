# node-gyp build of the addon (AF_PACKET sockets, TCP socket options). Built against the machine's Node headers
# (--nodedir=/usr, headers in /usr/include/node); nothing is downloaded. See native.mk.
{
  "targets": [
    {
      "target_name": "ironlb_packet",
      "sources": ["packet_socket.cc", "tcp_socket.cc", "netlink.cc", "udp_ttl.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    }
  ]
}
