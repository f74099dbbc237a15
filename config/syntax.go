package config

import (
	"net/url"
	"regexp"

	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

var (
	// GetFederationToken's Name: STS takes letters only.
	federationNameRE = regexp.MustCompile(`^[A-Za-z]{1,32}$`)
	// qcs::cam::uin/<owner uin>:roleName/<name> (or :role/<name>, the form CAM shows for some roles).
	roleARNRE = regexp.MustCompile(`^qcs::cam::uin/\d+:(roleName|role)/[\w+=,.@-]{1,128}$`)
)

func validRegion(s string) bool         { return policy.ValidateRegion(s) == nil }
func validFederationName(s string) bool { return federationNameRE.MatchString(s) }
func validRoleARN(s string) bool        { return roleARNRE.MatchString(s) }

// validOrigin accepts what browsers send in Origin: scheme://host[:port], nothing more.
func validOrigin(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	return u.Path == "" || u.Path == "/"
}
