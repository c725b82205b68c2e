#!/usr/bin/env bash
# Builds the collectivus container image with podman from the repository's Dockerfile.
#
# No image registry is needed: when the Debian base the Dockerfile names (docker.io/library/debian:bookworm-slim) is
# not in podman's storage, it is made from Debian's packages with mmdebstrap (minbase, without docs, man pages and
# locales, as the slim image is) and tagged under that name, so the Dockerfile stays the standard one. The base is
# kept in podman's storage and reused by later builds on the machine, and so is the build stage (tagged
# <image>-build:cache); the untagged images earlier builds left are pruned.
#
# Usage: scripts/container/build_image.sh [--tag <image>] [--base-only] [--rebuild-base]
#   --tag <image>    the image to build (default: localhost/collectivus:latest)
#   --base-only      make sure the base image exists, build nothing else
#   --rebuild-base   make the base again even when it exists
# Environment: BASE_IMAGE (default docker.io/library/debian:bookworm-slim), DEBIAN_SUITE (default bookworm),
#   DEBIAN_MIRROR (default: mmdebstrap's), PODMAN (default podman), CA_BUNDLE (default the host's
#   /etc/ssl/certs/ca-certificates.crt: the CAs the build trusts for npm, so a TLS-inspecting proxy works).
#
# Exit status: 0 built; 1 a step failed, with a line saying which and why; 2 a usage error.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TAG="localhost/collectivus:latest"
BASE_ONLY=0
REBUILD_BASE=0
BASE_IMAGE="${BASE_IMAGE:-docker.io/library/debian:bookworm-slim}"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
PODMAN="${PODMAN:-podman}"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; }
fail() { echo "error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --tag) [ $# -ge 2 ] || { echo "error: --tag requires an image name" >&2; exit 2; }; TAG="$2"; shift 2 ;;
    --tag=*) TAG="${1#--tag=}"; shift ;;
    --base-only) BASE_ONLY=1; shift ;;
    --rebuild-base) REBUILD_BASE=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

command -v "$PODMAN" >/dev/null 2>&1 ||
  fail "podman is not installed (Debian: apt-get install podman buildah runc mmdebstrap uidmap fuse-overlayfs; .ci/run does it)"
if ! "$PODMAN" info >/dev/null 2>"${TMPDIR:-/tmp}/ctvs-podman-info.err"; then
  fail "podman cannot run here: $(tail -n 3 "${TMPDIR:-/tmp}/ctvs-podman-info.err")"
fi

make_base() {
  command -v mmdebstrap >/dev/null 2>&1 || fail "mmdebstrap is not installed and $BASE_IMAGE is not in podman's storage"
  local work
  work="$(mktemp -d "${TMPDIR:-/tmp}/ctvs-base.XXXXXX")"
  trap 'rm -rf "$work"' RETURN
  echo "==> mmdebstrap $DEBIAN_SUITE (minbase) -> $BASE_IMAGE"
  # The slim image's exclusions: no docs (copyright files kept), man pages or translations.
  mmdebstrap --variant=minbase --include=ca-certificates \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    "$DEBIAN_SUITE" "$work/rootfs.tar" ${DEBIAN_MIRROR:+"$DEBIAN_MIRROR"} ||
    fail "mmdebstrap could not build the $DEBIAN_SUITE base (is Debian's mirror reachable?)"
  "$PODMAN" import \
    --change 'CMD ["bash"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$work/rootfs.tar" "$BASE_IMAGE" >/dev/null 8>&- || fail "podman import of the base image failed"
  echo "==> base image $BASE_IMAGE ready"
}

# One build at a time on the machine (test runs and CI's early build share podman's storage): a second build waits,
# then finds every layer cached instead of repeating the same apt and npm steps beside the first. The lock's path is
# fixed, as podman's storage is, whatever TMPDIR each caller has; podman does not inherit it.
LOCK="/tmp/ctvs-build-image-$(id -u).lock"
exec 8>"$LOCK"
if ! flock -w 1200 8; then fail "another image build held $LOCK for 20 minutes"; fi

if [ "$REBUILD_BASE" -eq 1 ] || ! "$PODMAN" image exists "$BASE_IMAGE"; then
  make_base
fi
[ "$BASE_ONLY" -eq 1 ] && exit 0

echo "==> podman build -t $TAG"
# --network host: the build stage reaches Debian's mirror and the npm registry through the host.
# --format docker: OCI images drop HEALTHCHECK.
CA_BUNDLE="${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
secret=()
if [ -s "$CA_BUNDLE" ]; then secret=(--secret "id=ca_bundle,src=$CA_BUNDLE"); fi
build() {
  "$PODMAN" build --pull=never --network host --format docker \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" "${secret[@]}" -f "$ROOT/Dockerfile" "$@" "$ROOT" 8>&-
}
# The build stage gets a tag of its own, so its layers (apt, npm, the staged runtime) stay as the next build's cache
# when the untagged images of earlier builds are pruned below.
build --target build -t "${TAG%:*}-build:cache" || fail "podman build of the build stage failed (see above)"
build -t "$TAG" || fail "podman build of $TAG failed (see above)"
"$PODMAN" image prune --force --filter label=io.collectivus.image >/dev/null ||
  echo "warning: could not prune the untagged images of earlier builds" >&2
echo "==> built $TAG"
