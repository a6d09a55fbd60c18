# The lab cluster's binaries (issue 11): kubelet, kube-proxy, kube-controller-manager, kube-scheduler,
# containerd (+ shim, ctr) and the CNI plugins, built from the modules in specs/support/k8s-cluster into a
# cache of their own (README.md there). Not a prerequisite of `make test`; nothing here touches K8S_BIN_DIR.
#
#   make cluster-bins      build unless cached (cold: long), print the dir
#   make cluster-bin-dir   print the dir (cheap, builds nothing)
#   make cluster-regen     re-derive the modules (CONTAINERD_VERSION=v2.Y.Z to move containerd)
#   make cluster-specs     the specs that need these binaries and the images: specs/**/*.cluster.ts (root)

CLUSTER_DIR := specs/support/k8s-cluster
# Recursive: computed only by the recipes that use it, so other targets pay nothing.
CLUSTER_BIN_DIR = $(shell $(CLUSTER_DIR)/bin-dir.sh)
CLUSTER_SPECS = $(shell find specs -name '*.cluster.ts' 2>/dev/null | sort)

cluster-bins:
	@$(CLUSTER_DIR)/build.sh >/dev/null
	@echo "CLUSTER_BIN_DIR=$(CLUSTER_BIN_DIR)"

cluster-bin-dir:
	@echo "$(CLUSTER_BIN_DIR)"

cluster-regen:
	$(CLUSTER_DIR)/gen.sh $(CONTAINERD_VERSION)

cluster-specs: k8s-bins cluster-bins image pause-image system-tools
	IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) IRONLB_CLUSTER_BIN_DIR=$(CLUSTER_BIN_DIR) IRONLB_IMAGE=$(IMAGE_ARCHIVE) IRONLB_PAUSE_IMAGE=$(PAUSE_ARCHIVE) \
	  $(TAP) --jobs=1 --timeout=600 $(CLUSTER_SPECS)
