#!/usr/bin/env bash
# Points the modules that helm's build shares with ../k8s (kube-apiserver, kubectl) at ../k8s's versions,
# with replace directives, so that the packages both build (k8s.io/client-go, apimachinery, api, cli-runtime,
# kubectl, golang.org/x/net, ...) compile once in Go's build cache. Helm alone brings the k8s.io modules one
# patch release behind and newer golang.org/x and yaml modules, so nothing of the API server's build was
# shared. Measured from a Go cache holding the k8s and cluster builds (2026-12-03, load 9-14): helm 238 s of
# CPU on its own versions, 93 s aligned.
#
# Kept at helm's versions: the modules helm needs newer than Kubernetes has (github.com/pkg/errors for
# errors.Is, OpenTelemetry for its semconv packages, with gRPC and genproto beside it) and the ones only helm
# builds (nothing to share there, and older releases of them break its code: toml v0.3 for one).
#
# Usage: align.sh   (after a version move of helm.sh/helm/v3 or of ../k8s; then commit go.mod and go.sum)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export GOWORK=off GOTOOLCHAIN=local GOFLAGS=-mod=mod
keep='^(go\.opentelemetry\.io/|google\.golang\.org/(grpc|genproto)|github\.com/grpc-ecosystem/|github\.com/pkg/errors$|github\.com/BurntSushi/|github\.com/Masterminds/|github\.com/sirupsen/|github\.com/cyphar/|cyphar\.com/|github\.com/go-logfmt/|gopkg\.in/yaml\.v2$|golang\.org/x/(tools|mod)($|/))'
versions() { (cd "$1" && GOFLAGS=-mod=readonly go list -m -f '{{.Path}} {{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' all | awk 'NF == 2' | sort); }

cd "$here"
go mod edit -json | jq -r '(.Replace // [])[] | "-dropreplace=\(.Old.Path)"' | xargs -r go mod edit
go mod tidy
args=()
while read -r path ours theirs; do
  [[ $ours != "$theirs" && ! $path =~ $keep ]] && args+=("-replace=$path=$path@$theirs")
done < <(join <(versions "$here") <(versions "$here/../k8s"))
# The staging modules as ../k8s replaces them (k8s.io/kubectl and friends are v0.0.0 requirements there).
while read -r old new ver; do args+=("-replace=$old=$new@$ver"); done < <(
  go mod edit -json ../k8s/go.mod | jq -r '(.Replace // [])[] | "\(.Old.Path) \(.New.Path) \(.New.Version)"')
go mod edit "${args[@]}"
go mod tidy
echo "align: $(grep -c '=>' go.mod) replaces; differing from ../k8s still:" >&2
join <(versions "$here") <(versions "$here/../k8s") | awk '$2 != $3' >&2
