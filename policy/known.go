package policy

import (
	"slices"
	"strings"
)

// cosActions returns the COS API actions CAM knows, by the names of Tencent's
// "COS API authorization policy" guide and the COS operations CloudAudit
// records. An action outside it grants nothing in CAM, so a name that is not
// here is a typo to report, never a grant to pass on. GetService is left out:
// it is granted on the resource "*", never on a bucket path.
func cosActions() []string {
	return []string{
		// Objects.
		"PutObject", "PostObject", "AppendObject", "GetObject", "HeadObject", "OptionsObject",
		"DeleteObject", "DeleteMultipleObjects", "PostObjectRestore", "SelectObjectContent",
		"PutObjectACL", "GetObjectACL", "PutObjectTagging", "GetObjectTagging", "DeleteObjectTagging",
		// Multipart uploads.
		"InitiateMultipartUpload", "ListMultipartUploads", "ListParts", "UploadPart", "UploadPartCopy",
		"CompleteMultipartUpload", "AbortMultipartUpload",
		// Buckets.
		"PutBucket", "GetBucket", "HeadBucket", "DeleteBucket", "GetBucketObjectVersions",
		"PutBucketACL", "GetBucketACL", "PutBucketCORS", "GetBucketCORS", "DeleteBucketCORS",
		"PutBucketLifecycle", "GetBucketLifecycle", "DeleteBucketLifecycle",
		"PutBucketPolicy", "GetBucketPolicy", "DeleteBucketPolicy",
		"PutBucketTagging", "GetBucketTagging", "DeleteBucketTagging",
		"PutBucketWebsite", "GetBucketWebsite", "DeleteBucketWebsite",
		"PutBucketInventory", "GetBucketInventory", "DeleteBucketInventory",
		"PutBucketReplication", "GetBucketReplication", "DeleteBucketReplication",
		"PutBucketEncryption", "GetBucketEncryption", "DeleteBucketEncryption",
		"PutBucketDomain", "GetBucketDomain", "DeleteBucketDomain",
		"PutBucketOrigin", "GetBucketOrigin", "DeleteBucketOrigin",
		"PutBucketVersioning", "GetBucketVersioning", "PutBucketReferer", "GetBucketReferer",
		"PutBucketLogging", "GetBucketLogging", "PutBucketNotification", "GetBucketNotification",
		"PutBucketAccelerate", "GetBucketAccelerate",
	}
}

// KnownAction reports whether name, written "PutObject" or
// "name/cos:PutObject", is a COS API action CAM knows. Names are
// case-sensitive, as CAM compares them.
func KnownAction(name string) bool {
	return slices.Contains(cosActions(), strings.TrimPrefix(name, ActionPrefix))
}

// suggestAction returns the known action that name spells in another case,
// or "", so that "Putobject" is answered with "did you mean PutObject?".
func suggestAction(name string) string {
	for _, a := range cosActions() {
		if strings.EqualFold(a, name) {
			return a
		}
	}
	return ""
}
