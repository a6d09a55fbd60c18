# Real Kubernetes for integration tests: kube-apiserver, kubectl and etcd built from the Go tools module in
# specs/support/k8s into a cache OUTSIDE the checkout (every clone on the machine shares it), and the runs
# that use them. Included by the top Makefile; uses its TAP, deps and build.
#
#   make k8s-bins           build the binaries unless already cached (cold: long, see build.sh), print the dir
#   make k8s-bin-dir        print the dir (cheap, builds nothing)
#   make integration-smoke  build everything, run specs/support/controlPlane.int.ts against a fresh control plane
#   make integration        the same for every specs/**/*.int.ts
#   make k8s-regen          re-derive go.mod's k8s.io replaces from k8s.io/kubernetes's go.mod and tidy
#                           (K8S_VERSION=v1.Y.Z ETCD_VERSION=v3.6.Z to move; the next k8s-bins rebuilds)
#
# Variables: K8S_BIN_DIR (exported to recipes) = $${IRONLB_CACHE:-$$HOME/.cache/ironlb}/k8s/<hash of go.mod+go.sum>

K8S_DIR := specs/support/k8s
K8S_BIN_DIR := $(shell $(K8S_DIR)/bin-dir.sh)
export K8S_BIN_DIR
K8S_TAP_TIMEOUT ?= 600
INTEGRATION_SPECS := $(shell find specs -name '*.int.ts' 2>/dev/null | sort)
WITH_CONTROL_PLANE := IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) node dist/specs/support/withControlPlane.js --

.PHONY: k8s-bins k8s-bin-dir k8s-regen integration-smoke integration

k8s-bins:
	@$(K8S_DIR)/build.sh >/dev/null
	@echo "K8S_BIN_DIR=$(K8S_BIN_DIR)"

k8s-bin-dir:
	@echo "$(K8S_BIN_DIR)"

k8s-regen:
	$(K8S_DIR)/gen-replaces.sh $(K8S_VERSION) $(ETCD_VERSION)

integration-smoke: k8s-bins build
	$(WITH_CONTROL_PLANE) $(TAP) --timeout=$(K8S_TAP_TIMEOUT) specs/support/controlPlane.int.ts

# Two files at a time on the one control plane (tap's default on two cores is one): each keeps to
# namespaces, classes and Leases of its own (specs/shell/controller/fixture.ts), and they spend most of
# their time waiting on the API server and the controllers. INTEGRATION_JOBS=1 runs them one by one.
INTEGRATION_JOBS ?= 2

integration: k8s-bins build
	rc=0; $(WITH_CONTROL_PLANE) $(TAP) --jobs=$(INTEGRATION_JOBS) --timeout=$(K8S_TAP_TIMEOUT) $(INTEGRATION_SPECS) || rc=$$?; $(call SPEC_TIMES,$(INTEGRATION_SPECS)); exit $$rc
