package policy

import "slices"

// Grant is what one set of credentials may do: the actions on the prefixes and
// keys of one bucket. Prefixes may hold WholeBucket; Actions may hold presets,
// short or CAM names.
type Grant struct {
	Bucket   string
	Region   string
	Prefixes []string
	Keys     []string
	Actions  []string
}

// Build turns g into the CAM policy of SPEC §6: one allow statement with the
// expanded actions and one resource per prefix (qcs::cos:<region>:uid/<appid>:
// <bucket>/p/*), key (…/<bucket>/k) or WholeBucket (…/<bucket>/*).
//
// Resources are sorted and deduplicated, and one already covered by a
// requested prefix is left out, so a grant written in any order yields the same,
// shortest policy (STS limits its length). Build validates everything and
// reports every problem at once.
func Build(g Grant) (Policy, error) {
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
	}
	paths, err := grantPaths(g.Prefixes, g.Keys)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Policy{}, joinErrors(errs)
	}
	base := "qcs::cos:" + g.Region + ":uid/" + appid + ":" + g.Bucket + "/"
	resources := make([]string, len(paths))
	for i, p := range paths {
		resources[i] = base + p
	}
	return Policy{
		Version:   Version,
		Statement: []Statement{{Effect: "allow", Action: actions, Resource: resources}},
	}, nil
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
	var paths []string
	for _, v := range valid {
		if coveredByOther(valid, v) {
			continue
		}
		switch {
		case v == WholeBucket:
			paths = append(paths, "*")
		case v[len(v)-1] == '/':
			paths = append(paths, v+"*")
		default:
			paths = append(paths, v)
		}
	}
	slices.Sort(paths)
	return paths, nil
}

// coveredByOther reports whether another prefix in all already grants v.
func coveredByOther(all []string, v string) bool {
	for _, o := range all {
		if o != v && (o == WholeBucket || o[len(o)-1] == '/') && containsValid(o, v) {
			return true
		}
	}
	return false
}
