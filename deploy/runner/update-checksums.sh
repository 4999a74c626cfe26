#!/usr/bin/env bash
# Fills the *_SHA256 build arguments of the Dockerfile for the versions it pins, from each
# vendor's published checksum file, and the *_IMAGE_DIGEST arguments from the registry for the
# image tags it names. Run it after changing a version; review the diff; commit.
#
#   ./update-checksums.sh [Dockerfile]
#
# age and the AWS CLI publish no checksum file: their sums are computed from the download
# (trust on first use). Compare them with a second machine or the release's provenance.
set -euo pipefail

dockerfile="${1:-$(dirname "$0")/Dockerfile}"
[[ -f "$dockerfile" ]] || { echo "no Dockerfile at $dockerfile" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 2; }
command -v sha256sum >/dev/null || { echo "sha256sum is required" >&2; exit 2; }

arg() { sed -n "s/^ARG $1=\(.*\)$/\1/p" "$dockerfile" | head -n1; }
fetch() { curl -fsSL --retry 3 --proto =https "$1"; }
# The checksum of one file named in a "sum  name" list.
pick() { awk -v name="$1" '$2 == name || $2 == "*"name { print $1; exit }'; }
set_arg() {
  local name="$1" value="$2"
  [[ "$value" =~ ^[0-9a-f]{64}$ ]] || { echo "bad checksum for $name: '$value'" >&2; exit 1; }
  sed -i "s/^ARG ${name}=.*/ARG ${name}=${value}/" "$dockerfile"
  echo "$name=$value"
}
tofu() {
  local tmp; tmp="$(mktemp)"
  fetch "$1" >"$tmp"
  sha256sum "$tmp" | cut -d' ' -f1
  rm -f "$tmp"
}

v="$(arg TERRAFORM_VERSION)"
set_arg TERRAFORM_SHA256 "$(fetch "https://releases.hashicorp.com/terraform/$v/terraform_${v}_SHA256SUMS" | pick "terraform_${v}_linux_amd64.zip")"
v="$(arg KUBECTL_VERSION)"
set_arg KUBECTL_SHA256 "$(fetch "https://dl.k8s.io/release/v$v/bin/linux/amd64/kubectl.sha256" | tr -d '[:space:]')"
v="$(arg TALOSCTL_VERSION)"
set_arg TALOSCTL_SHA256 "$(fetch "https://github.com/siderolabs/talos/releases/download/v$v/sha256sum.txt" | pick talosctl-linux-amd64)"
v="$(arg SOPS_VERSION)"
set_arg SOPS_SHA256 "$(fetch "https://github.com/getsops/sops/releases/download/v$v/sops-v$v.checksums.txt" | pick "sops-v$v.linux.amd64")"
v="$(arg AGE_VERSION)"
set_arg AGE_SHA256 "$(tofu "https://github.com/FiloSottile/age/releases/download/v$v/age-v$v-linux-amd64.tar.gz")"
if [[ "$(arg INSTALL_AWSCLI)" == true ]]; then
  v="$(arg AWSCLI_VERSION)"
  set_arg AWSCLI_SHA256 "$(tofu "https://awscli.amazonaws.com/awscli-exe-linux-x86_64-$v.zip")"
fi
# Base images: the digest of the tag's manifest (list), as Docker Hub serves it now.
image_digest() {
  local image="$1" repo tag token
  repo="${image%%:*}"; tag="${image#*:}"
  [[ "$repo" == */* ]] || repo="library/$repo"
  token="$(fetch "https://auth.docker.io/token?service=registry.docker.io&scope=repository:$repo:pull" |
    sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
  curl -fsSI --retry 3 --proto =https -H "Authorization: Bearer $token" \
    -H 'Accept: application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json' \
    "https://registry-1.docker.io/v2/$repo/manifests/$tag" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }'
}
set_digest() {
  local name="$1" value="$2"
  [[ "$value" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "bad digest for $name: '$value'" >&2; exit 1; }
  sed -i "s/^ARG ${name}=.*/ARG ${name}=${value}/" "$dockerfile"
  echo "$name=$value"
}
set_digest NODE_IMAGE_DIGEST "$(image_digest "$(arg NODE_IMAGE)")"
set_digest RUNNER_IMAGE_DIGEST "$(image_digest "$(arg RUNNER_IMAGE)")"
