# IronLB. `make demo` and `make test` are the two commands a newcomer runs (README).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

TAP := npx tap --reporter=terse --allow-incomplete-coverage --disable-coverage
# The core's specs run in one process (specs/core/all.suite.ts says why), and so do the other unit specs
# (specs/allButCore.suite.ts); *.netns.spec.ts and the specs marked as needing a process of their own run one
# process each. Two at a time: tap's default on two cores is one (it leaves a core free), and these
# processes wait on timers and sockets for much of their run.
# The netns specs run their compiled twins from dist/ (`make build` compiles specs/ too): under tap's
# TypeScript loader each such file, each agent it starts in a namespace and each BFD worker thread
# compiled its modules afresh (tcpSocket.netns: 45 s of CPU from source, 19 s from dist/, at load 11-18).
# `npx tap specs/x.netns.spec.ts` still runs one from source, its agents too (specs/support/netnsAgent.ts).
UNIT_OWN_PROCESS := $(shell grep -rl --include='*.spec.ts' '^// unit-suite: own process' specs 2>/dev/null | grep -v '^specs/core/' | grep -v '\.netns\.spec\.ts$$' | sort)
UNIT_NETNS_SPECS := $(patsubst %.ts,dist/%.js,$(shell find specs -name '*.netns.spec.ts' 2>/dev/null | sort))
UNIT_SPECS := specs/allButCore.suite.ts specs/core/all.suite.ts $(UNIT_OWN_PROCESS) $(UNIT_NETNS_SPECS)
UNIT_JOBS ?= 2

-include specs/support/k8s/k8s.mk
-include deploy/crds.mk
-include shell/native/native.mk
-include shell/lab/lab.mk
-include specs/support/k8s-cluster/cluster.mk deploy/image/image.mk
-include specs/support/metallb/metallb.mk
-include specs/support/helm/helm.mk

.PHONY: deps typecheck build unit test e2e bench demo clean cluster-bins cluster-bin-dir cluster-regen cluster-specs image pause-image

# npm ci only when the lock file changed since the last install.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

deps: node_modules/.installed

typecheck: deps
	npx tsc --noEmit -p tsconfig.json

# tsconfig.build.json holds the whole tree (specs too, for the runs from dist/): the build is also a
# full type check, the same program as `typecheck`'s.
build: deps
	npx tsc -p tsconfig.build.json
	chmod +x dist/shell/cli/ironlb.js dist/shell/lab/cli.js

# Per-file wall times of the tap run just made (specs/support/specTimes.ts reads .tap/processinfo), slowest
# first; printed after a failure too, so a slow or hung file is named either way.
SPEC_TIMES = if [ -f dist/specs/support/specTimes.js ]; then echo "per-file wall times:"; node dist/specs/support/specTimes.js $(1); fi

unit: deps build
	rc=0; $(TAP) --jobs=$(UNIT_JOBS) --timeout=120 $(UNIT_SPECS) || rc=$$?; $(call SPEC_TIMES,$(UNIT_SPECS)); exit $$rc

# First what every step needs: the build (a full type check too), the addon, the Debian tools, the
# Kubernetes binaries of the control plane. Then three jobs:
#  - test-go-bins: the lab cluster's binaries and helm (cluster-bins, helm-bins; no-ops once cached, long cold);
#  - test-unit-lane: the unit and integration specs in one tap run, two files at a time on one control plane
#    (k8s.mk's INTEGRATION_JOBS says why that is safe; each file gets K8S_TAP_TIMEOUT), then the Helm and
#    cluster specs (cluster-lane: the real cluster from the image);
#  - e2e: the end-to-end specs in the process lab.
# make starts them in that order, TEST_JOBS at a time (2): on a cold machine the Go build runs beside the
# unit run and the timing-sensitive e2e lab waits for it; warm, the e2e lab starts at once. Each job's
# output is printed whole when it ends (-O). TEST_JOBS=1 runs them one after the other.
# Quiet clean clones of 0fe7e3b, 2026-12-03 (before the cluster joined): 16 min 20 s with TEST_JOBS=1,
# 8 min 38 s with 2, both green. Under other people's load (5-20) timing rows of the e2e lab fail first
# (outages' rolling update, bgp.e2e's power losses): on a shared machine use TEST_JOBS=1 (and LAB_LOCK).
# tap empties .tap/processinfo when a run starts, so a later run's start loses the per-file times of an
# earlier run's files finished by then.
TEST_PREP := build native system-tools k8s-bins
TEST_PREP_DONE := $(TEST_PREP:%=-o %)
TEST_JOBS ?= 2
.PHONY: test-go-bins test-unit-lane
test: deps
	$(MAKE) --no-print-directory -j2 $(TEST_PREP)
	$(MAKE) --no-print-directory -j$(TEST_JOBS) -Orecurse $(TEST_PREP_DONE) test-go-bins test-unit-lane e2e

# One job, not two prerequisites: under -j2 those would take both slots and hold the unit lane back.
test-go-bins:
	@$(CLUSTER_DIR)/build.sh >/dev/null && $(HELM_DIR)/build.sh >/dev/null

# The lane goes on after a failure, so that both runs report; it fails if either did.
test-unit-lane:
	rc=0; $(MAKE) --no-print-directory $(TEST_PREP_DONE) unit-integration || rc=$$?; \
	  $(MAKE) --no-print-directory $(TEST_PREP_DONE) cluster-lane || rc=$$?; exit $$rc

# tap starts files in name order whatever the order given: the netns specs (dist/...) first, then specs/...
UNIT_INTEGRATION_SPECS = $(UNIT_SPECS) $(INTEGRATION_SPECS)
.PHONY: unit-integration
unit-integration: build native system-tools k8s-bins
	rc=0; $(WITH_CONTROL_PLANE) $(TAP) --jobs=$(UNIT_JOBS) --timeout=$(K8S_TAP_TIMEOUT) $(UNIT_INTEGRATION_SPECS) || rc=$$?; $(call SPEC_TIMES,$(UNIT_INTEGRATION_SPECS)); exit $$rc

# End-to-end specs in the live lab (root; network namespaces): specs/**/*.e2e.ts, one lab at a time
# so that timing figures are not skewed by a second lab on the same two cores.
e2e: build native system-tools k8s-bins
	rc=0; IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) $(LAB_LOCK) $(TAP) --jobs=1 --timeout=1200 $(LAB_E2E_SPECS) || rc=$$?; $(call SPEC_TIMES,$(LAB_E2E_SPECS)); exit $$rc

# The failover, soak and speaker benches run in the live lab (root); the others need only Node and the API server.
bench: build native system-tools k8s-bins
	node --expose-gc dist/specs/bench/run.js $(BENCH)

# The Layer 2 demo in the live lab (root; shell/lab/demo.ts): lab up, an IPv4 and an IPv6 Service, who
# announces them, a node failure timed from the client, heal, lab down (always). Exit 0 only if all held.
demo: build native k8s-bins system-tools
	IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) node dist/shell/lab/demo.js

clean:
	rm -rf dist .tap
