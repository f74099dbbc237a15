#!/usr/bin/env bash
# Builds the function for SCF's Go1 runtime and packages it for upload.
#
# SCF runs a static linux/amd64 executable named after the handler ("main") from the root of the code package, so:
#   dist/main              the binary (CGO_ENABLED=0, -trimpath, symbols stripped: smaller, no builder paths)
#   dist/cos-sts-scf.zip   the package with main at its root, for the console or the SCF API
#
# Works from any directory and needs only Go (the zip is written by internal/zipdist, not zip(1)).
#   DIST=dir         where to write (default: dist/ in the repository)
#   EXTRA_FILES="a b" more files to put at the package root, e.g. the JSON/YAML file STS_SCOPES_FILE names
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="${DIST:-$root/dist}"
mkdir -p "$dist"
dist="$(cd "$dist" && pwd)"

# Extra files are copied into DIST (relative paths are the caller's), so that the zip and the dist/ directory
# serverless.yml uploads hold the same package.
extra=()
for f in ${EXTRA_FILES:-}; do
  cp "$f" "$dist/"
  extra+=("$dist/$(basename "$f")")
done

cd "$root"
CGO_ENABLED=0 GOOS=linux GOARCH=amd64 go build -trimpath -ldflags='-s -w' -o "$dist/main" .
go run ./internal/zipdist "$dist/main" ${extra[@]+"${extra[@]}"} "$dist/cos-sts-scf.zip"
echo "built $dist/cos-sts-scf.zip (handler: main, runtime: Go1)"
