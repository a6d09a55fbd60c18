# The native addon (shell/native): AF_PACKET sockets and TCP socket options. Included from the top Makefile with `-include shell/native/native.mk`.
# Targets:
#   native        build shell/native/build/Release/ironlb_packet.node when its sources changed
#   native-clean  remove the build directory
#   system-tools  install (Debian, as root) every tool the tests, benches and demo use, if missing
# It builds with the node-gyp that ships inside npm (through `npm run build:native`) against the
# machine's Node headers (--nodedir=/usr, i.e. /usr/include/node): nothing is downloaded.
# Needs g++, make and python3 (node-gyp's gyp), all on the Debian base.
.PHONY: native native-clean netns-tools

NATIVE_DIR := shell/native
NATIVE_ADDON := $(NATIVE_DIR)/build/Release/ironlb_packet.node
NATIVE_SOURCES := $(NATIVE_DIR)/packet_socket.cc $(NATIVE_DIR)/tcp_socket.cc $(NATIVE_DIR)/tcp_socket.h $(NATIVE_DIR)/netlink.cc $(NATIVE_DIR)/netlink.h $(NATIVE_DIR)/udp_ttl.cc $(NATIVE_DIR)/udp_ttl.h $(NATIVE_DIR)/binding.gyp node_modules/node-addon-api/package.json

native: $(NATIVE_ADDON)

$(NATIVE_ADDON): $(NATIVE_SOURCES) node_modules/.installed | system-tools
	npm run --silent build:native

node_modules/node-addon-api/package.json: node_modules/.installed

native-clean:
	rm -rf $(NATIVE_DIR)/build

# The netns specs (specs/shell/native, specs/support/netns.spec.ts, specs/core/bgp/*.netns.spec.ts) load
# the addon and use the Debian tools (GoBGP as the router): make both ready before the unit run.
unit: system-tools native

# Every system tool a test, bench or the demo runs, from the one list the specs read too
# (specs/support/system-tools.txt: command, Debian package). One list for every target: make runs a
# prerequisite once per invocation, so a target-specific addition would be lost when `make test` had
# already installed for `unit`. Only what is missing, so a prepared machine runs no apt at all;
# without root it only warns (the netns specs skip without root; the build then fails with the
# compiler's message). `netns-tools` is the old name.
SYSTEM_TOOLS_LIST := specs/support/system-tools.txt
SYSTEM_TOOLS := $(shell awk '!/^\#/ && NF >= 2 { print $$1 ":" $$2 }' $(SYSTEM_TOOLS_LIST) 2>/dev/null)
.PHONY: system-tools system-tools-list
system-tools:
	@missing=""; for pair in $(SYSTEM_TOOLS); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	missing=$$(printf '%s\n' $$missing | sort -u | tr '\n' ' '); \
	if [ -n "$${missing// /}" ] && [ "$$(id -u)" = 0 ]; then \
	  echo "installing: $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	elif [ -n "$${missing// /}" ]; then echo "warning: missing Debian packages: $$missing(not root, not installing)"; fi
netns-tools: system-tools

# What system-tools installs from (specs/support/systemTools.spec.ts compares it with the list it reads).
system-tools-list:
	@printf '%s\n' $(SYSTEM_TOOLS)
