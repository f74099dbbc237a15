package policy

import "strings"

// AppID returns the APPID of a COS bucket, the digits after its last "-"
// (examplebucket-1250000000 → 1250000000). CAM resources name the owner by
// this APPID, so a bucket without one cannot be granted. The whole name must
// be lower-case letters, digits and "-", not starting or ending with "-".
func AppID(bucket string) (string, error) {
	i := strings.LastIndexByte(bucket, '-')
	if i <= 0 || i == len(bucket)-1 {
		return "", invalid(ErrInvalidBucket, "policy: bucket %s: want <name>-<appid>, like examplebucket-1250000000", quote(bucket))
	}
	name, appid := bucket[:i], bucket[i+1:]
	for j := 0; j < len(name); j++ {
		c := name[j]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return "", invalid(ErrInvalidBucket, "policy: bucket %s: only lower-case letters, digits and \"-\" are allowed", quote(bucket))
		}
	}
	if name[0] == '-' || name[len(name)-1] == '-' {
		return "", invalid(ErrInvalidBucket, "policy: bucket %s: the name must not start or end with \"-\"", quote(bucket))
	}
	if !isDigits(appid) {
		return "", invalid(ErrInvalidBucket, "policy: bucket %s: the APPID after the last \"-\" must be digits", quote(bucket))
	}
	return appid, nil
}

// ValidateRegion reports whether region has the shape of a COS region:
// lower-case words joined by "-", at least two of them, optionally ending in a
// number (ap-guangzhou, ap-shanghai-fsi, na-siliconvalley, eu-frankfurt-1).
// It checks shape, not a list, so a new region needs no release; the shape is
// enough to keep ":" and "/" out of a CAM resource.
func ValidateRegion(region string) error {
	parts := strings.Split(region, "-")
	words := parts
	if n := len(parts); n > 2 && isDigits(parts[n-1]) {
		words = parts[:n-1]
	}
	ok := len(words) >= 2
	for _, w := range words {
		ok = ok && isLower(w)
	}
	if !ok {
		return invalid(ErrInvalidRegion, "policy: region %s: want lower-case words joined by \"-\", like ap-guangzhou", quote(region))
	}
	return nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}
