// Package cosemu is an in-process stand-in for Tencent Cloud COS (the XML
// API, virtual-hosted buckets) listening on 127.0.0.1, written from
// Tencent's COS documentation: the request signature (q-sign-algorithm=sha1
// in an Authorization header or a presigned query string), POST Object's
// form fields and their two signature forms, x-cos-security-token with
// temporary keys, the CAM policy a temporary key is cut down to (with the
// condition keys cos:content-length, cos:content-type and qcs:ip), COS's XML
// errors, and CORS as a bucket with CORS rules answers a browser.
//
// It exists to prove that the credentials this project mints do what its
// README says when Tencent's own SDKs use them: allowed requests succeed,
// everything else is refused the way COS refuses it. Its policy evaluator
// is its own, on purpose, and shares no code with package policy: an oracle
// built from the code it checks would agree with every mistake.
//
// Objects live in memory, capped in size. The keys it accepts come from
// Options.Keys, usually FromSTS over the STS emulator (internal/stsemu).
package cosemu
