# The AF_PACKET addon (shell/native). Included from the top Makefile with `-include shell/native/native.mk`.
# Targets:
#   native        build shell/native/build/Release/ironlb_packet.node when its sources changed
#   native-clean  remove the build directory
#   netns-tools   install (Debian, as root) what the addon build and the netns specs use, if missing
# It builds with the node-gyp that ships inside npm (through `npm run build:native`) against the
# machine's Node headers (--nodedir=/usr, i.e. /usr/include/node): nothing is downloaded.
# Needs g++, make and python3 (node-gyp's gyp), all on the Debian base.
.PHONY: native native-clean netns-tools

NATIVE_DIR := shell/native
NATIVE_ADDON := $(NATIVE_DIR)/build/Release/ironlb_packet.node
NATIVE_SOURCES := $(NATIVE_DIR)/packet_socket.cc $(NATIVE_DIR)/binding.gyp node_modules/node-addon-api/package.json

native: $(NATIVE_ADDON)

$(NATIVE_ADDON): $(NATIVE_SOURCES) node_modules/.installed | netns-tools
	npm run --silent build:native

node_modules/node-addon-api/package.json: node_modules/.installed

native-clean:
	rm -rf $(NATIVE_DIR)/build

# The netns specs (specs/shell/native, specs/support/netns.spec.ts, specs/core/bgp/*.netns.spec.ts) load
# the addon and use the Debian tools (GoBGP as the router): make both ready before the unit run.
unit: netns-tools native

# Only what is missing, so a prepared machine runs no apt at all; without root it only warns
# (the netns specs skip without root anyway, and the build then fails with the compiler's message).
NETNS_TOOLS := ip:iproute2 arping:arping ndisc6:ndisc6 tcpdump:tcpdump g++:g++ make:make python3:python3 gobgpd:gobgpd
netns-tools:
	@missing=""; for pair in $(NETNS_TOOLS); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ]; then \
	  echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	elif [ -n "$$missing" ]; then echo "warning: missing Debian packages:$$missing (not root, not installing)"; fi
