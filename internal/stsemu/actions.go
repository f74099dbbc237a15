package stsemu

import (
	"fmt"
	"regexp"
	"time"
)

// Duration bounds of the two actions, from STS's API reference: a federation
// token lives at most 36 hours (129,600 s) when a sub-account asks, as the
// emulator's keys do (2 hours for the root account, which the emulator does
// not play), a role session 12 hours.
const (
	federationDefault = 1800
	federationMax     = 129600
	roleDefault       = 7200
	roleMax           = 43200
)

var (
	// nameRe: GetFederationToken's Name is letters only (docs/contract.md §4).
	nameRe = regexp.MustCompile(`^[A-Za-z]{1,32}$`)
	// sessionNameRe and externalIDRe follow AssumeRole's documented patterns.
	sessionNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,128}$`)
	externalIDRe  = regexp.MustCompile(`^[\w+=,.@:/-]{2,128}$`)
	// roleArnRe accepts qcs::cam::uin/<uin>:roleName/<name> and
	// qcs::cam::uin/<uin>:role/<id>, service roles (one more segment) included.
	roleArnRe = regexp.MustCompile(`^qcs::cam::uin/[0-9]+:(roleName|role)/[\w+=,.@-]{1,128}(/[\w+=,.@-]{1,128})?$`)
)

func (s *Server) getFederationToken(p params, c *Call) (map[string]any, *apiError) {
	if p.RoleArn != nil || p.RoleSessionName != nil || p.ExternalId != nil || p.Tags != nil {
		return nil, &apiError{"UnknownParameter", "GetFederationToken takes only Name, Policy and DurationSeconds."}
	}
	if p.Name == nil {
		return nil, missing("Name")
	}
	if !nameRe.MatchString(*p.Name) {
		return nil, &apiError{"InvalidParameter.ParamError", "Name must be 1 to 32 letters."}
	}
	if p.Policy == nil {
		return nil, missing("Policy")
	}
	if e := checkPolicy(*p.Policy, s.opts.AppID); e != nil {
		return nil, e
	}
	d, e := duration(p, federationDefault, federationMax)
	if e != nil {
		return nil, e
	}
	return s.issue(c, d), nil
}

func (s *Server) assumeRole(p params, c *Call) (map[string]any, *apiError) {
	if p.Name != nil {
		return nil, &apiError{"UnknownParameter", "AssumeRole does not take Name."}
	}
	switch {
	case p.RoleArn == nil:
		return nil, missing("RoleArn")
	case p.RoleSessionName == nil:
		return nil, missing("RoleSessionName")
	case !roleArnRe.MatchString(*p.RoleArn):
		return nil, &apiError{"InvalidParameter.ParamError", "RoleArn must look like qcs::cam::uin/<uin>:roleName/<name>."}
	case !sessionNameRe.MatchString(*p.RoleSessionName):
		return nil, &apiError{"InvalidParameter.ParamError", `RoleSessionName must match [\w+=,.@-]{2,128}.`}
	case p.ExternalId != nil && !externalIDRe.MatchString(*p.ExternalId):
		return nil, &apiError{"InvalidParameter.ParamError", `ExternalId must match [\w+=,.@:/-]{2,128}.`}
	}
	if len(p.Tags) > 50 {
		return nil, &apiError{"InvalidParameter.ParamError", "At most 50 session tags may be passed."}
	}
	seen := map[string]bool{}
	for _, t := range p.Tags {
		if t.Key == nil || t.Value == nil || *t.Key == "" || len(*t.Key) > 128 || len(*t.Value) > 256 || seen[*t.Key] {
			return nil, &apiError{"InvalidParameter.ParamError", "Each tag needs a unique Key (1-128 chars) and a Value (at most 256 chars)."}
		}
		seen[*t.Key] = true
	}
	if p.Policy != nil {
		if e := checkPolicy(*p.Policy, s.opts.AppID); e != nil {
			return nil, e
		}
	}
	d, e := duration(p, roleDefault, roleMax)
	if e != nil {
		return nil, e
	}
	return s.issue(c, d), nil
}

func missing(name string) *apiError {
	return &apiError{"MissingParameter", "The request is missing a required parameter `" + name + "`."}
}

// duration applies the action's default and ceiling to DurationSeconds.
func duration(p params, def, limit int64) (int64, *apiError) {
	if p.DurationSeconds == nil {
		return def, nil
	}
	n, err := p.DurationSeconds.Int64()
	switch {
	case err != nil || n < 0:
		return 0, &apiError{"InvalidParameter.ParamError", "DurationSeconds must be a whole number of seconds."}
	case n == 0:
		return def, nil
	case n > limit:
		return 0, &apiError{"InvalidParameter.OverTimeError", fmt.Sprintf("DurationSeconds may be at most %d.", limit)}
	}
	return n, nil
}

// issue mints fresh temporary keys valid for d seconds. They are remembered
// as temporary keys, so a client can call the emulator with them (and its
// token) the way it would call real Tencent Cloud.
func (s *Server) issue(c *Call, d int64) map[string]any {
	creds := newCredentials()
	exp := s.opts.Now().Add(time.Duration(d) * time.Second)
	s.mu.Lock()
	s.temp[creds.TmpSecretId] = tempKey{secretKey: creds.TmpSecretKey, token: creds.Token, expires: exp}
	s.remember(IssuedCredential{
		Credentials: creds, Action: c.Action, RequestID: c.RequestID, SecretID: c.SecretID,
		Policy: c.Policy, ExpiredTime: exp.Unix(),
	})
	s.mu.Unlock()
	c.Issued = creds
	c.ExpiredTime = exp.Unix()
	return map[string]any{
		"Credentials": creds,
		"ExpiredTime": exp.Unix(),
		"Expiration":  exp.UTC().Format(time.RFC3339),
		"RequestId":   c.RequestID,
	}
}
