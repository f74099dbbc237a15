// Package deploy holds no code: its tests check the deployment files at the
// repository root (serverless.yml, scripts/build.sh) so that a packaging
// mistake fails in CI rather than in the SCF console.
package deploy
