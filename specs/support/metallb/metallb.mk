# MetalLB v0.16.2 beside IronLB (issue 12): its controller and speaker built from the Go tools module here into
# a cache OUTSIDE the checkout, and the side-by-side bench. A test and benchmark dependency only. Included by
# the top Makefile; uses its build and k8s-bins.
#
#   make metallb-bins      build MetalLB's controller + speaker unless already cached, print the dir
#   make metallb-bin-dir   print the dir (cheap, builds nothing)
#   make metallb-tidy      re-derive go.mod/go.sum after a change of pin (tidy.sh)
#   make bench-metallb     both systems side by side, one table at the end (specs/bench/metallbReport.ts): the
#                          controller (BENCH_METALLB, default 2000x2: a wave of 2,000 Services, two runs each,
#                          alternated; SIZEcRUNS for a cold start, e.g. BENCH_METALLB='10000x2 20000c1 50000c1'),
#                          then in the process lab (root) the speakers idle and with 1,000 IPs
#                          (IRONLB_BENCH_METALLB_SPEAKER_IPS) and Layer 2 failover, 20 power losses each
#                          (MetalLB, IronLB, and IronLB in the chart's low-cost setting: ironlbSetting.ts)
#                          (IRONLB_BENCH_METALLB_L2_TRIALS) and the API server stopped 60 s, then BGP against
#                          one FRR router (MetalLB's native mode; Service to route, power losses without BFD,
#                          IronLB's with BFD too; IRONLB_BENCH_METALLB_BGP_TRIALS, default 10). The default takes
#                          about 40-45 min on 2 cores (the BGP part about 4 of them). LAB_LOCK (lab.mk) wraps
#                          the lab parts only. Last, the migration spec (below): it is here and not in make
#                          test because it needs MetalLB built from its Go module, which cold would take make
#                          test past its 30 minutes.
#   make migration         MetalLB -> IronLB -> MetalLB live in the process lab, no IP moved (root; migration.e2e.ts)
#
# Variables: METALLB_BIN_DIR = $${IRONLB_CACHE:-$$HOME/.cache/ironlb}/metallb/<hash of go.mod+go.sum+frr-k8s-copy.sh>

METALLB_DIR := specs/support/metallb
METALLB_BIN_DIR := $(shell $(METALLB_DIR)/bin-dir.sh)
BENCH_METALLB ?= 2000x2
# The parts' rows (metallbRows.ts) go here; a fresh temporary folder by default.
METALLB_OUT ?=

.PHONY: metallb-bins metallb-bin-dir metallb-tidy bench-metallb migration

metallb-bins:
	@$(METALLB_DIR)/build.sh >/dev/null
	@echo "METALLB_BIN_DIR=$(METALLB_BIN_DIR)"

metallb-bin-dir:
	@echo "$(METALLB_BIN_DIR)"

metallb-tidy:
	$(METALLB_DIR)/tidy.sh

# Every part runs even when one before it failed; the table then names the part missing, and make fails.
bench-metallb: build native system-tools k8s-bins metallb-bins
	out=$(or $(METALLB_OUT),$$(mktemp -d /tmp/ironlb-bench-metallb.XXXXXX)); mkdir -p $$out; rm -f $$out/*.json; rc=0; \
	export IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) IRONLB_METALLB_BIN_DIR=$(METALLB_BIN_DIR); \
	node dist/specs/bench/metallb.bench.js --out=$$out $(BENCH_METALLB) || rc=$$?; \
	$(LAB_LOCK) node dist/specs/bench/metallbSpeaker.bench.js --out=$$out || rc=$$?; \
	$(LAB_LOCK) node dist/specs/bench/metallbL2.bench.js --out=$$out || rc=$$?; \
	$(LAB_LOCK) node dist/specs/bench/metallbBgp.bench.js --out=$$out || rc=$$?; \
	$(LAB_LOCK) $(TAP) --jobs=1 --timeout=1200 $(patsubst %.ts,dist/%.js,$(MIGRATION_SPECS)) || rc=$$?; \
	node dist/specs/bench/metallbReport.js $$out || rc=$$?; \
	echo "rows kept in $$out"; exit $$rc

# The live migration MetalLB -> IronLB -> MetalLB in the process lab (specs/e2e/migration.e2e.ts; root).
migration: build native system-tools k8s-bins metallb-bins
	IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) $(LAB_LOCK) $(TAP) --jobs=1 --timeout=1200 $(patsubst %.ts,dist/%.js,$(MIGRATION_SPECS))
