# IronLB's images as OCI archives, built here (deploy/image/build.sh): no registry, no container engine.
#
#   make image         deploy/Containerfile's final stage over the local base -> dist/image/ironlb.oci.tar
#   make pause-image   the Pod sandbox image from deploy/image/pause.c        -> dist/image/pause.oci.tar
#
# IMAGE_REF defaults to the name the manifests use (ghcr.io/ironlb/ironlb:<package.json version>), so a
# node that imported the archive runs `kubectl apply -f deploy/manifests/` without pulling anything.

IMAGE_ARCHIVE := $(CURDIR)/dist/image/ironlb.oci.tar
PAUSE_ARCHIVE := $(CURDIR)/dist/image/pause.oci.tar
IMAGE_REF ?= ghcr.io/ironlb/ironlb:$(shell jq -r .version package.json)
PAUSE_REF ?= localhost/ironlb/pause:1.0
IMAGE_BASE ?= local

image: build native
	deploy/image/build.sh ironlb $(IMAGE_ARCHIVE) $(IMAGE_REF) $(IMAGE_BASE)

pause-image:
	deploy/image/build.sh pause $(PAUSE_ARCHIVE) $(PAUSE_REF)
