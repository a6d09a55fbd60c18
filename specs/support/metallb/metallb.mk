# MetalLB v0.16.2 beside IronLB (issue 12): its controller and speaker built from the Go tools module here into
# a cache OUTSIDE the checkout, and the side-by-side bench. A test and benchmark dependency only. Included by
# the top Makefile; uses its build and k8s-bins.
#
#   make metallb-bins      build MetalLB's controller + speaker unless already cached, print the dir
#   make metallb-bin-dir   print the dir (cheap, builds nothing)
#   make metallb-tidy      re-derive go.mod/go.sum after a change of pin (tidy.sh)
#   make bench-metallb     the controller bench, both systems, one table (BENCH_METALLB=5000x3 10000x1 by default);
#                          then Layer 2 failover in the process lab, 20 power losses each (root; metallbL2.bench.ts)
#   make migration         MetalLB -> IronLB -> MetalLB live in the process lab, no IP moved (root; migration.e2e.ts)
#
# Variables: METALLB_BIN_DIR = $${IRONLB_CACHE:-$$HOME/.cache/ironlb}/metallb/<hash of go.mod+go.sum+frr-k8s-copy.sh>

METALLB_DIR := specs/support/metallb
METALLB_BIN_DIR := $(shell $(METALLB_DIR)/bin-dir.sh)
BENCH_METALLB ?=

.PHONY: metallb-bins metallb-bin-dir metallb-tidy bench-metallb migration

metallb-bins:
	@$(METALLB_DIR)/build.sh >/dev/null
	@echo "METALLB_BIN_DIR=$(METALLB_BIN_DIR)"

metallb-bin-dir:
	@echo "$(METALLB_BIN_DIR)"

metallb-tidy:
	$(METALLB_DIR)/tidy.sh

bench-metallb: build native system-tools k8s-bins metallb-bins
	IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) IRONLB_METALLB_BIN_DIR=$(METALLB_BIN_DIR) node dist/specs/bench/metallb.bench.js $(BENCH_METALLB)
	IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) IRONLB_METALLB_BIN_DIR=$(METALLB_BIN_DIR) node dist/specs/bench/metallbL2.bench.js

# The live migration MetalLB -> IronLB -> MetalLB in the process lab (specs/e2e/migration.e2e.ts; root).
migration: build native system-tools k8s-bins metallb-bins
	IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) $(TAP) --jobs=1 --timeout=1200 $(MIGRATION_SPECS)
