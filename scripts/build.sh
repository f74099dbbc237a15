#!/usr/bin/env bash
# Builds the function for SCF's Go1 runtime and packages it for upload.
#
# SCF runs a static linux/amd64 executable named after the handler ("main") from the root of the code package, so:
#   dist/package/          the code package, made afresh on every run: main and the EXTRA_FILES, nothing else
#                          (serverless.yml uploads this folder, so a file left by an earlier build never ships)
#   dist/package/main      the binary (CGO_ENABLED=0, -trimpath, symbols stripped: smaller, no builder paths;
#                          -tags nethttpomithttp2: net/http without HTTP/2, 385 KB less, see the README's "Build")
#   dist/cos-sts-scf.zip   the same package zipped with main at its root, for the console or the SCF API
#
# The version is stamped into the binary (the cold-start log line and every dry run carry it): `git describe --tags
# --always --dirty`, or VERSION when set (a release: VERSION=v1.2.0 scripts/build.sh).
#
# Works from any directory and needs only Go (the zip is written by internal/zipdist, not zip(1)).
#   DIST=dir          where to write (default: dist/ in the repository); only DIST/package and the zip are replaced
#   EXTRA_FILES="a b" more files to put at the package root, e.g. the JSON/YAML file STS_SCOPES_FILE names; a .yaml or
#                     .yml file is a scopes document, packed under its own name as the JSON the function reads
#                     (internal/scopesjson: JSON is YAML, and the function carries no YAML parser); one that does
#                     not decode fails the build, with its line
#   VERSION=v1.2.0    the version to stamp instead of git describe's
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="${DIST:-$root/dist}"
mkdir -p "$dist"
dist="$(cd "$dist" && pwd)"
pkg="$dist/package"

version="${VERSION:-}"
if [ -z "$version" ]; then
  version="$(git -C "$root" describe --tags --always --dirty 2>/dev/null || true)"
fi
version="${version:-unknown}"
# It goes into -ldflags and log lines: keep it to the characters versions are made of.
if [[ ! "$version" =~ ^[A-Za-z0-9._+-]+$ ]]; then
  echo "build.sh: VERSION \"$version\" may hold only letters, digits and . _ + -" >&2
  exit 2
fi

# Check every extra file before touching the package, so a typo fails without leaving a half-made folder.
seen=" main "
for f in ${EXTRA_FILES:-}; do
  if [ ! -f "$f" ]; then
    echo "build.sh: EXTRA_FILES names $f, which is not a file (relative paths are taken from $(pwd))" >&2
    exit 2
  fi
  name="$(basename "$f")"
  if [[ "$seen" == *" $name "* ]]; then
    echo "build.sh: EXTRA_FILES names $f, but the package root already has a $name (the binary is main)" >&2
    exit 2
  fi
  seen+="$name "
done

# YAML scopes documents are converted first, into a folder beside the package, so that one that does not decode
# fails the build before the package is touched.
converted="$dist/.scopes-json"
rm -rf "$converted"
mkdir "$converted"
trap 'rm -rf "$converted"' EXIT
for f in ${EXTRA_FILES:-}; do
  case "$f" in
    *.yaml|*.yml|*.YAML|*.YML)
      abs="$(cd "$(dirname "$f")" && pwd)/$(basename "$f")"
      (cd "$root" && go run ./internal/scopesjson "$abs" "$converted/$(basename "$f")") || {
        echo "build.sh: EXTRA_FILES names $f, a YAML scopes document that does not decode (above)" >&2
        exit 2
      }
      ;;
  esac
done

rm -rf "$pkg"
mkdir "$pkg"
extra=()
for f in ${EXTRA_FILES:-}; do
  name="$(basename "$f")"
  if [ -f "$converted/$name" ]; then
    cp "$converted/$name" "$pkg/"
  else
    cp "$f" "$pkg/"
  fi
  extra+=("$pkg/$name")
done

cd "$root"
echo "building cos-sts-scf $version for linux/amd64 (the first build downloads modules and takes a few minutes)"
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -tags nethttpomithttp2 -ldflags="-s -w -X main.version=$version" -o "$pkg/main" .
go run ./internal/zipdist "$pkg/main" ${extra[@]+"${extra[@]}"} "$dist/cos-sts-scf.zip"
echo "built $dist/cos-sts-scf.zip and $pkg/ (version $version; handler main, runtime Go1)"
