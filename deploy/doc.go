// Package deploy holds no code: its tests check what an operator receives and runs. serverless.yml,
// scripts/build.sh and scripts/deploy.sh (with a stub scf CLI), the SCF console's test templates and the
// console-ready events, a walk through the README's operator instructions as written in a fresh copy of the
// repository, and that no file refers to anything outside the repository. A packaging or documentation mistake
// then fails in CI rather than in the SCF console.
package deploy
