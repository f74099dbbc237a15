#!/usr/bin/env bash
# Deploys the function with Tencent's Serverless Cloud Framework CLI, `scf` (npm i -g serverless-cloud-framework;
# 1.2.0 or newer, the first with Function URL triggers; checked against 1.2.0 to 1.3.0), from serverless.yml.
# Arguments are passed on to `scf deploy`, e.g. --stage prod or --debug.
#
# With scf on PATH:
#   1. every ${env:NAME} in serverless.yml not marked "# optional" must have a value, from the environment or from
#      the .env file scf itself reads (./.env.<stage>, ./.env, then the same one and two folders up): scf drops an
#      unset one silently, and a function deployed without STS_BUCKET answers 500 until redeployed. The missing
#      ones are named and nothing is built or deployed (exit 2);
#   2. scripts/build.sh builds dist/package/ and dist/cos-sts-scf.zip;
#   3. scf deploy runs here, at the repository root.
# Without scf: it builds, prints how to upload the zip in the SCF console, and exits 0.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
min_cli=1.2.0

# scf's stage (--stage, default dev) and --target pick the .env file it loads; mirror that here.
stage=dev
target=
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --stage=*) stage="${args[i]#--stage=}" ;;
    --stage) stage="${args[i + 1]:-dev}" ;;
    --target=*) target="${args[i]#--target=}" ;;
    --target) target="${args[i + 1]:-}" ;;
  esac
done

# envfile prints the .env file scf would load, or nothing: the first that exists, in scf's order.
envfile() {
  local candidates=()
  if [ -n "$target" ]; then
    candidates+=("$target/.env.$stage" "$target/.env")
  fi
  candidates+=(".env.$stage" ".env" "../.env.$stage" "../.env" "../../.env.$stage" "../../.env")
  local f
  for f in "${candidates[@]}"; do
    if [ -f "$f" ]; then
      echo "$f"
      return
    fi
  done
}

# has_value NAME FILE: whether NAME has a non-empty value in the environment or in the dotenv FILE. The file is
# read, never sourced: it holds the CLI's keys, and sourcing would run whatever else it holds.
has_value() {
  local name="$1" file="$2" line value
  if [ -n "${!name:-}" ]; then
    return 0
  fi
  [ -n "$file" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ "$line" =~ ^[[:space:]]*(export[[:space:]]+)?${name}[[:space:]]*=(.*)$ ]]; then
      value="${BASH_REMATCH[2]}"
      value="${value#"${value%%[![:space:]]*}"}"
      value="${value%"${value##*[![:space:]]}"}"
      case "$value" in
        "" | '""' | "''" | \#*) value= ;;
      esac
    fi
  done <"$file"
  [ -n "${value:-}" ]
}

cli_version() {
  scf --version --plain 2>/dev/null | tr -d '[:space:]' || true
}

# version_at_least A B: whether dotted version A >= B.
version_at_least() {
  local IFS=.
  local -a a=($1) b=($2)
  local i
  for i in 0 1 2; do
    if ((10#${a[i]:-0} != 10#${b[i]:-0})); then
      ((10#${a[i]:-0} > 10#${b[i]:-0}))
      return
    fi
  done
}

if command -v scf >/dev/null 2>&1; then
  if [ -n "${DIST:-}" ] && [ "$(mkdir -p "$DIST" && cd "$DIST" && pwd)" != "$root/dist" ]; then
    echo "deploy.sh: DIST=$DIST, but serverless.yml uploads dist/package; unset DIST to deploy with scf" >&2
    exit 2
  fi
  version="$(cli_version)"
  if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]]; then
    echo "deploy.sh: the scf on PATH ($(command -v scf)) did not answer \`scf --version --plain\` with a version;" >&2
    echo "  install Tencent's CLI with: npm i -g serverless-cloud-framework" >&2
    exit 2
  fi
  if ! version_at_least "${BASH_REMATCH[0]}" "$min_cli"; then
    echo "deploy.sh: serverless-cloud-framework $version is older than $min_cli, which is needed for the Function URL" >&2
    echo "  trigger in serverless.yml (an older one would remove an existing Function URL); update it with:" >&2
    echo "  npm update -g serverless-cloud-framework" >&2
    exit 2
  fi

  file="$(envfile)"
  missing=()
  # The names serverless.yml takes from the environment, except those whose line says "# optional".
  while IFS= read -r name; do
    if ! has_value "$name" "$file"; then
      missing+=("$name")
    fi
  done < <(grep -v -e '^[[:space:]]*#' -e '# optional' serverless.yml | grep -o '\${env:[A-Za-z_][A-Za-z0-9_]*}' | sed 's/^\${env:\(.*\)}$/\1/' | LC_ALL=C sort -u)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "deploy.sh: serverless.yml needs ${missing[*]}, unset in the environment${file:+ and in $file}." >&2
    echo "  scf would deploy without them, silently, and the function would answer 500 ConfigError." >&2
    echo "  Export them, or put NAME=value lines in .env here (git ignores it; .env.example lists them)." >&2
    exit 2
  fi

  "$root/scripts/build.sh"
  echo "deploying with serverless-cloud-framework $version: scf deploy $*${file:+ (variables also from $file)}"
  exec scf deploy "$@"
fi

"$root/scripts/build.sh"
dist="$(cd "${DIST:-$root/dist}" && pwd)"
cat <<EOF

scf (Tencent's Serverless Cloud Framework CLI) is not installed, so nothing was deployed. Either install it
(npm i -g serverless-cloud-framework, then run this again), or deploy by hand in the SCF console:
  1. Create a function: Event function, from scratch, runtime Go1, name cos-sts-scf.
  2. Code: upload the local zip $dist/cos-sts-scf.zip; handler: main.
  3. Memory 64 MB, execution timeout 10 s.
  4. Execution role: a role SCF may use, allowed sts:AssumeRole on the role in STS_ROLE_ARN (see serverless.yml).
  5. Environment variables: STS_BUCKET, STS_BUCKET_REGION, STS_ALLOW_PREFIXES, STS_ALLOW_ACTIONS, STS_ROLE_ARN,
     and STS_ALLOW_ORIGINS for browsers. No secret key is needed: SCF hands the execution role's keys to the
     function. Only if you use a sub-account's permanent keys, set STS_SECRET_ID and STS_SECRET_KEY here, in
     the console, never in a file.
  6. Trigger: create a Function URL (public, authorization "open"), or an API Gateway trigger with integrated
     response enabled.
EOF
