# The metallb.io CRDs: deploy/manifests/10-crds.yaml is generated from core/crd (schemas derived from
# the io-ts codecs in core/config) by shell/tools/genCrds.ts. Included by the top Makefile; uses its
# `build` target.
#
#   make crds         regenerate deploy/manifests/10-crds.yaml (commit the result)
#   make crds-check   fail when the file differs from what the generator writes (the unit spec
#                     specs/shell/tools/crdsYaml.spec.ts checks the same)

CRDS_YAML := deploy/manifests/10-crds.yaml

.PHONY: crds crds-check

crds: build
	node dist/shell/tools/genCrds.js $(CRDS_YAML)

crds-check: build
	node dist/shell/tools/genCrds.js --check $(CRDS_YAML)
