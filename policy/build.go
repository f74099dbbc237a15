package policy

import (
	"slices"
	"strings"
)

// Grant is what one set of credentials may do: the actions on the prefixes and
// keys of one bucket, under Conditions. Prefixes may hold WholeBucket; Actions
// may hold presets, short or CAM names.
type Grant struct {
	Bucket     string
	Region     string
	Prefixes   []string
	Keys       []string
	Actions    []string
	Conditions Conditions
}

// MaxPolicyBytes is the longest policy JSON Build returns. STS documents no
// number for its Policy parameter, only the error InvalidParameter.PolicyTooLong;
// CAM caps a custom policy at 6,144 characters and STS documents session
// tokens, which carry the policy, as up to 4,096 bytes. 4,096 bytes of JSON
// stays inside both, and still holds some thirty resources.
const MaxPolicyBytes = 4096

// Build turns g into the CAM policy of docs/contract.md §6: allow statements with the
// expanded actions and one resource per prefix (qcs::cos:<region>:uid/<appid>:
// <bucket>/p/*), key (…/<bucket>/k) or WholeBucket (…/<bucket>/*).
//
// Only the actions UsableActions keeps under g.Conditions are granted:
// contentTypes leave out PostObject, maxContentLength the multipart APIs; a
// grant left with none is an error. Without conditions there is one
// statement. With MaxContentLength or ContentTypes, the requests that carry
// the object's size or type (PutObject, PostObject, AppendObject;
// InitiateMultipartUpload for the type) get a statement of their own with
// those conditions, and the other actions one without them: a content
// condition on a request with no body would be false and refuse it.
// SourceIP's ip_equal goes on every statement.
//
// Resources are sorted and deduplicated, and one already covered by a
// requested prefix is left out, so a grant written in any order yields the same,
// shortest policy. Build validates everything, reports every problem at once,
// and refuses a policy longer than MaxPolicyBytes.
func Build(g Grant) (Policy, error) {
	p, _, err := BuildJSON(g)
	return p, err
}

// BuildJSON is Build that also returns the policy's JSON (Policy.JSON), which
// Build encodes anyway to check its size: a caller that sends the policy needs
// no second encoding.
func BuildJSON(g Grant) (Policy, string, error) {
	var errs []error
	appid, err := AppID(g.Bucket)
	if err != nil {
		errs = append(errs, err)
	}
	if err := ValidateRegion(g.Region); err != nil {
		errs = append(errs, err)
	}
	actions, err := ExpandActions(g.Actions)
	if err != nil {
		errs = append(errs, err)
	} else if len(actions) == 0 {
		errs = append(errs, invalid(ErrInvalidGrant, "policy: grant has no actions"))
	} else if kept, dropped := UsableActions(actions, g.Conditions); len(kept) == 0 {
		errs = append(errs, invalid(ErrInvalidGrant, "policy: no action of the grant can be used under its conditions: %s is left out: %s",
			strings.TrimPrefix(dropped[0].Action, ActionPrefix), dropped[0].Reason))
	} else {
		actions = kept
	}
	paths, err := grantPaths(g.Prefixes, g.Keys)
	if err != nil {
		errs = append(errs, err)
	}
	cond, err := g.Conditions.validate()
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Policy{}, "", joinErrors(errs)
	}
	base := "qcs::cos:" + g.Region + ":uid/" + appid + ":" + g.Bucket + "/"
	resources := make([]string, len(paths))
	for i, p := range paths {
		resources[i] = base + p
	}
	stmts, err := statements(actions, resources, cond)
	if err != nil {
		return Policy{}, "", err
	}
	p := Policy{Version: Version, Statement: stmts}
	text, err := p.JSON()
	if err != nil {
		return Policy{}, "", err
	}
	if len(text) > MaxPolicyBytes {
		return Policy{}, "", invalid(ErrPolicyTooLarge,
			"policy: the policy would be %d bytes, more than %d: grant fewer prefixes and keys, or a common parent folder",
			len(text), MaxPolicyBytes)
	}
	return p, text, nil
}

// grantPaths validates prefixes and keys and returns the resource paths after
// the bucket: "p/*" for a prefix, "k" for a key, "*" for WholeBucket.
func grantPaths(prefixes, keys []string) ([]string, error) {
	var errs []error
	var valid []string
	for _, p := range prefixes {
		if err := ValidatePrefix(p); err != nil && p != WholeBucket {
			errs = append(errs, err)
			continue
		}
		valid = append(valid, p)
	}
	for _, k := range keys {
		if err := ValidateKey(k); err != nil {
			errs = append(errs, err)
			continue
		}
		valid = append(valid, k)
	}
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	if len(valid) == 0 {
		return nil, invalid(ErrInvalidGrant, "policy: grant has no prefixes or keys")
	}
	slices.Sort(valid)
	valid = slices.Compact(valid)
	if slices.Contains(valid, WholeBucket) {
		return []string{"*"}, nil // the whole bucket covers every other path
	}
	paths := make([]string, 0, len(valid))
	for _, v := range uncovered(valid) {
		if v[len(v)-1] == '/' {
			paths = append(paths, v+"*")
		} else {
			paths = append(paths, v)
		}
	}
	slices.Sort(paths)
	return paths, nil
}

// uncovered returns the sorted, distinct, valid prefixes and keys of sorted that no other folder prefix among
// them covers, in one pass: every string that lies between a folder p and a path p covers sorts after p and
// also begins with p, so the last folder kept is the only one that can cover the next path. Build's cost thus
// grows with n·log n (the sort), not n², however many paths a request names.
func uncovered(sorted []string) []string {
	var kept []string
	folder := ""
	for _, v := range sorted {
		if folder != "" && strings.HasPrefix(v, folder) {
			continue
		}
		kept = append(kept, v)
		if v[len(v)-1] == '/' {
			folder = v
		}
	}
	return kept
}
