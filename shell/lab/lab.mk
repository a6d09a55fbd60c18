# The live Layer 2 lab (shell/lab, `ironlb-lab`): network namespaces, a real control plane, the IronLB
# controller and speakers. Needs root. Included by the top Makefile; uses its TAP, build and k8s-bins.
#
#   make lab-up       build, then bring the lab up in .lab/default (idempotent) and print its status
#   make lab-status   hosts, processes, the API server, LoadBalancer Services and their IPs
#   make lab-down     remove every process, namespace and file of the lab
#   make lab-demo     lab-up, then `ironlb-lab demo` (shell/lab/demo.ts): an IP assigned, announced, failed over
#   make lab-e2e      the lab's end-to-end specs (specs/**/*.e2e.ts), each with labs of its own
#
# Then e.g.: npx ironlb-lab kubectl get nodes; npx ironlb-lab on client curl http://198.51.100.11/

LAB_CLI := dist/shell/lab/cli.js
# The migration spec runs MetalLB v0.16.2, whose cold Go build (1,110 s wall at load 14-21, 4 min 53 s of
# CPU) would push a cold `make test` past its 30 minutes: it runs in `make migration` and last in `make bench-metallb` (metallb.mk) instead.
MIGRATION_SPECS := specs/e2e/migration.e2e.ts
# Run from dist/ (compiled by `make build`): no TypeScript compiling in the spec process beside the lab's
# daemons. `npx tap specs/e2e/x.e2e.ts` still runs one from source.
LAB_E2E_SPECS := $(patsubst %.ts,dist/%.js,$(filter-out $(MIGRATION_SPECS),$(shell find specs -name '*.e2e.ts' 2>/dev/null | sort)))
LAB_TAP_TIMEOUT ?= 600
# A machine shared by several people runs one lab at a time: LAB_LOCK='flock /tmp/ironlb-lab.lock' waits
# for the lock around the end-to-end run (empty by default: CI has the machine to itself).
LAB_LOCK ?=

.PHONY: lab-bin lab-up lab-status lab-down lab-demo lab-e2e

# tsc does not set the executable bit that `npx ironlb-lab` needs.
lab-bin: build
	chmod +x $(LAB_CLI)

lab-up: lab-bin k8s-bins
	IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) node $(LAB_CLI) up

lab-status:
	node $(LAB_CLI) status

lab-down:
	node $(LAB_CLI) down

lab-demo: lab-up
	node $(LAB_CLI) demo

lab-e2e: lab-bin k8s-bins
	IRONLB_K8S_BIN_DIR=$(K8S_BIN_DIR) $(LAB_LOCK) $(TAP) --timeout=$(LAB_TAP_TIMEOUT) $(LAB_E2E_SPECS)
