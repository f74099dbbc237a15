// Package stsemu is an in-process stand-in for Tencent Cloud STS
// (sts.tencentcloudapi.com, API version 2018-08-13) listening on 127.0.0.1.
//
// It exists so that tests, cmd/local and the end-to-end suite can mint
// credentials without a Tencent Cloud account while still exercising what
// breaks in production: TC3-HMAC-SHA256 signatures, clock skew, X-TC-Token
// for temporary keys, the URL-encoded CAM policy and the parameter bounds of
// GetFederationToken and AssumeRole. Answers use STS's own JSON, errors
// included, so the real tencentcloud-sdk-go client parses them unchanged.
//
// Tests can queue faults (throttling, 5xx, resets, hangs, malformed bodies)
// and read back every call received (Calls, cleared by Reset) and every
// credential issued (Issued and LookupIssued, never cleared). Keys it hands
// out work only here.
package stsemu
