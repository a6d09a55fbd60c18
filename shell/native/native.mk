# The AF_PACKET addon (shell/native). Included from the top Makefile with `-include shell/native/native.mk`.
# Targets:
#   native        build shell/native/build/Release/ironlb_packet.node when its sources changed
#   native-clean  remove the build directory
# It builds with the node-gyp that ships inside npm (through `npm run build:native`) against the
# machine's Node headers (--nodedir=/usr, i.e. /usr/include/node): nothing is downloaded.
# Needs g++, make and python3 (node-gyp's gyp), all on the Debian base.
.PHONY: native native-clean

NATIVE_DIR := shell/native
NATIVE_ADDON := $(NATIVE_DIR)/build/Release/ironlb_packet.node
NATIVE_SOURCES := $(NATIVE_DIR)/packet_socket.cc $(NATIVE_DIR)/binding.gyp node_modules/node-addon-api/package.json

native: $(NATIVE_ADDON)

$(NATIVE_ADDON): $(NATIVE_SOURCES) node_modules/.installed
	npm run --silent build:native

node_modules/node-addon-api/package.json: node_modules/.installed

native-clean:
	rm -rf $(NATIVE_DIR)/build

# The netns specs under specs/shell/native load the addon: build it before the unit run.
unit: native
