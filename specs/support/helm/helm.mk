# Helm 3 for the chart in deploy/chart: built from the Go tools module in specs/support/helm into a cache
# OUTSIDE the checkout (every clone on the machine shares it), as specs/support/k8s does for kubectl.
# Included by the top Makefile. `make test` runs the Helm specs in cluster-lane (../k8s-cluster/cluster.mk).
#
#   make helm-bins      build helm unless cached, print the dir
#   make helm-bin-dir   print the dir (cheap, builds nothing)
#   make helm-specs     specs/**/*.helm.ts: the manifests, `kubectl kustomize deploy/` and the chart
#                       rendered and compared, the chart's values, each rendering sent to a real
#                       kube-apiserver with --dry-run=server, and helm install/upgrade/uninstall on a
#                       control plane of its own

HELM_DIR := specs/support/helm
# Recursive: computed only by the recipes that use it, so other targets pay nothing.
HELM_BIN_DIR = $(shell $(HELM_DIR)/bin-dir.sh)
HELM_SPECS = $(shell find specs -name '*.helm.ts' 2>/dev/null | sort)

.PHONY: helm-bins helm-bin-dir helm-specs

helm-bins:
	@$(HELM_DIR)/build.sh >/dev/null
	@echo "HELM_BIN_DIR=$(HELM_BIN_DIR)"

helm-bin-dir:
	@echo "$(HELM_BIN_DIR)"

helm-specs: k8s-bins helm-bins build
	rc=0; IRONLB_HELM_BIN_DIR=$(HELM_BIN_DIR) $(WITH_CONTROL_PLANE) $(TAP) --jobs=1 --timeout=300 $(HELM_SPECS) || rc=$$?; $(call SPEC_TIMES,$(HELM_SPECS)); exit $$rc
