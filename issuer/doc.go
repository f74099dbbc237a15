// Package issuer asks Tencent Cloud STS for temporary credentials, with
// GetFederationToken (permanent keys) or AssumeRole (any keys, the execution
// role's included).
//
// It is the only package that imports tencentcloud-sdk-go, so the SDK's
// pointer-heavy types, its global defaults and its error text stay at this
// edge. What it adds over the SDK: retries with jittered backoff that always
// finish inside the caller's deadline, one connection pool shared by every
// call, per-call credentials (SCF rotates the role's keys), and errors that
// say what went wrong without ever carrying a secret.
package issuer
