package policy

import "strings"

// ActionPrefix is how CAM names a COS API in a policy.
const ActionPrefix = "name/cos:"

// presetActions returns the COS APIs behind a docs/contract.md §4 preset, in the order a
// reader of the policy expects them. A preset is a convenience for callers
// who want "upload" without knowing that multipart upload is six APIs.
func presetActions(name string) []string {
	switch name {
	case "upload":
		return []string{"PutObject", "PostObject", "InitiateMultipartUpload", "ListMultipartUploads",
			"ListParts", "UploadPart", "CompleteMultipartUpload", "AbortMultipartUpload"}
	case "download":
		return []string{"GetObject", "HeadObject"}
	case "delete":
		return []string{"DeleteObject"}
	}
	return nil
}

// NormalizeAction turns one COS action, written "PutObject" or
// "name/cos:PutObject", into the CAM form "name/cos:PutObject". It refuses
// wildcards ("*", "name/cos:*"), other services, presets and names that are
// not COS actions (KnownAction): a single name must grant a single API, so
// that what a caller asks for is what the policy says, and a typo is an error
// rather than a grant of nothing.
func NormalizeAction(s string) (string, error) {
	name := s
	if rest, ok := strings.CutPrefix(s, ActionPrefix); ok {
		name = rest
	} else if strings.ContainsAny(s, ":/") {
		return "", invalid(ErrInvalidAction, "policy: action %s: not a COS action (want PutObject or name/cos:PutObject)", quote(s))
	}
	switch {
	case name == "":
		return "", invalid(ErrInvalidAction, "policy: action %s: empty", quote(s))
	case strings.Contains(name, "*"):
		return "", invalid(ErrInvalidAction, "policy: action %s: wildcards are not allowed", quote(s))
	case presetActions(strings.ToLower(name)) != nil:
		return "", invalid(ErrInvalidAction, "policy: action %s: a preset, not one COS action", quote(s))
	case !isLetters(name):
		return "", invalid(ErrInvalidAction, "policy: action %s: a COS action name has letters only", quote(s))
	case name[0] < 'A' || name[0] > 'Z':
		return "", invalid(ErrInvalidAction, "policy: action %s: a COS action name starts with an upper-case letter", quote(s))
	case !KnownAction(name):
		if hint := suggestAction(name); hint != "" {
			return "", invalid(ErrInvalidAction, "policy: unknown COS action %s (did you mean %s?)", quote(s), hint)
		}
		return "", invalid(ErrInvalidAction, "policy: unknown COS action %s", quote(s))
	}
	return ActionPrefix + name, nil
}

// ExpandActions expands presets ("upload", "download", "delete") and
// normalizes action names, dropping duplicates and keeping first-seen order so
// that the same list always yields the same policy. It reports every bad name
// at once.
func ExpandActions(names []string) ([]string, error) {
	var out []string
	var errs []error
	seen := make(map[string]bool)
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, n := range names {
		if preset := presetActions(n); preset != nil {
			for _, a := range preset {
				add(ActionPrefix + a)
			}
			continue
		}
		a, err := NormalizeAction(n)
		if err != nil {
			switch lower := strings.ToLower(n); {
			case presetActions(lower) != nil:
				err = invalid(ErrInvalidAction, "policy: action %s: presets are written in lower case (%s)", quote(n), lower)
			case isLetters(n) && lower == n:
				err = invalid(ErrInvalidAction, "policy: action %s: not a preset (upload, download, delete) or a COS action", quote(n))
			}
			errs = append(errs, err)
			continue
		}
		add(a)
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return out, nil
}

// Subset returns the actions in asked that allowed does not hold, each once, in
// asked's order; nil means asked is a subset. Both lists are compared as
// written, so callers pass normalized names (ExpandActions).
func Subset(allowed, asked []string) (extra []string) {
	have := make(map[string]bool, len(allowed))
	for _, a := range allowed {
		have[a] = true
	}
	for _, a := range asked {
		if !have[a] {
			have[a] = true
			extra = append(extra, a)
		}
	}
	return extra
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return s != ""
}
