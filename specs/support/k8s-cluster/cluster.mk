# The lab cluster's binaries (issue 11): kubelet, kube-proxy, kube-controller-manager, kube-scheduler,
# containerd (+ shim, ctr) and the CNI plugins, built from the modules in specs/support/k8s-cluster into a
# cache of their own (README.md there); nothing here touches K8S_BIN_DIR. `make test` builds them beside its
# unit run (test-go-bins) and then runs cluster-lane.
#
#   make cluster-bins      build unless cached (cold: long), print the dir
#   make cluster-bin-dir   print the dir (cheap, builds nothing)
#   make cluster-regen     re-derive the modules (CONTAINERD_VERSION=v2.Y.Z to move containerd)
#   make cluster-specs     the specs that need these binaries and the images: specs/**/*.cluster.ts (root);
#                          the lifecycle spec installs the chart with the helm binary (helm-bins)
#   make cluster-lane      what `make test` runs of it: the Helm specs and the cluster specs in one tap run
#   make demo-cluster      make demo's story on the real cluster: specs/support/k8s-cluster/demo.ts (root)

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

CLUSTER_ENV = IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) IRONLB_CLUSTER_BIN_DIR=$(CLUSTER_BIN_DIR) IRONLB_HELM_BIN_DIR=$(HELM_BIN_DIR) \
  IRONLB_IMAGE=$(IMAGE_ARCHIVE) IRONLB_PAUSE_IMAGE=$(PAUSE_ARCHIVE)

cluster-specs: k8s-bins cluster-bins helm-bins image pause-image system-tools
	$(CLUSTER_ENV) $(TAP) --jobs=1 --timeout=900 $(CLUSTER_SPECS)

# The Helm specs (helm.mk) and the cluster specs, one file at a time (one cluster at a time beside make test's
# e2e lab), on a control plane of their own for the Helm specs' server-side dry runs.
CLUSTER_LANE_SPECS = $(HELM_SPECS) $(CLUSTER_SPECS)
.PHONY: cluster-lane
cluster-lane: build k8s-bins cluster-bins helm-bins image pause-image system-tools
	rc=0; $(CLUSTER_ENV) $(WITH_CONTROL_PLANE) $(TAP) --jobs=1 --timeout=900 $(CLUSTER_LANE_SPECS) || rc=$$?; $(call SPEC_TIMES,$(CLUSTER_LANE_SPECS)); exit $$rc

# make demo's story on kubelets (specs/support/k8s-cluster/demo.ts): the cluster up (timed, memory),
# IronLB from deploy/manifests/, a dual-stack Service, who announces each IP (ServiceL2Status, ARP, NDP),
# the announcing node's link cut under a client every 20 ms (the outage timed), heal; exit 0 only if every
# check held. The cluster is always removed.
.PHONY: demo-cluster
demo-cluster: build k8s-bins cluster-bins image pause-image system-tools
	$(CLUSTER_ENV) node dist/specs/support/k8s-cluster/demo.js
