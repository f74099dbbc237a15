#!/usr/bin/env bash
# Builds the package (scripts/build.sh), then deploys serverless.yml with the Serverless Framework when it is
# installed (sls or serverless; Tencent's scf component). Without it, prints how to upload the zip in the SCF
# console and exits 0: the build is the part this script guarantees.
# Arguments are passed on to `sls deploy`, e.g. --stage prod.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh"
dist="$(cd "${DIST:-$root/dist}" && pwd)"

cd "$root"
for cli in sls serverless; do
  if command -v "$cli" >/dev/null 2>&1; then
    exec "$cli" deploy "$@"
  fi
done

cat <<EOF

Neither sls nor serverless is installed (npm install -g serverless), so deploy by hand in the SCF console:
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
