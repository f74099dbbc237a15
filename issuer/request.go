package issuer

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Mode is the STS action that mints the credentials.
type Mode string

// The two ways to mint: GetFederationToken needs permanent keys; AssumeRole
// works with any keys, the execution role's temporary ones included.
const (
	ModeGetFederationToken Mode = "GetFederationToken"
	ModeAssumeRole         Mode = "AssumeRole"
)

// ErrInvalidRequest is returned (wrapped) by Issue for a Request that cannot
// be sent: a programming or configuration error, never STS's answer.
var ErrInvalidRequest = errors.New("issuer: invalid request")

// Credentials are the keys a call to STS is signed with. They belong to each
// Request, not to the Issuer, because SCF rotates the role's keys between
// invocations.
type Credentials struct {
	SecretID, SecretKey string
	Token               string // set for temporary keys; sent as X-TC-Token
}

// Request is one credential request.
type Request struct {
	Endpoint    Endpoint // the zero value is the public endpoint over HTTPS
	Region      string
	Mode        Mode
	Credentials Credentials
	// Policy is the CAM policy JSON, not encoded: Issue URL-encodes it, as STS
	// requires and the SDK does not do.
	Policy          string
	DurationSeconds int // 0 lets STS apply its default
	// Name is GetFederationToken's caller name (letters only).
	Name string
	// RoleARN, RoleSessionName and ExternalID are AssumeRole's.
	RoleARN, RoleSessionName, ExternalID string
	// Tags are AssumeRole's session tags (e.g. the JWT's sub); ignored by
	// GetFederationToken, which has none.
	Tags map[string]string
}

// Result is what STS issued.
type Result struct {
	TmpSecretID, TmpSecretKey, SessionToken string
	ExpiredTime                             int64  // Unix seconds
	Expiration                              string // RFC 3339, UTC
	RequestID                               string // STS's RequestId
	Attempts                                int    // calls made, retries included
}

// validate catches what would make STS refuse the call for certain before a
// round trip is spent on it. Messages never include a credential.
func (r Request) validate() error {
	var problems []error
	if r.Endpoint.Scheme != "" && r.Endpoint.Scheme != SchemeHTTPS && r.Endpoint.Scheme != SchemeHTTP {
		problems = append(problems, fmt.Errorf("endpoint scheme %q is not HTTPS or HTTP", r.Endpoint.Scheme))
	}
	if r.Region == "" {
		problems = append(problems, errors.New("region is empty"))
	}
	if r.Credentials.SecretID == "" || r.Credentials.SecretKey == "" {
		problems = append(problems, errors.New("credentials are incomplete (SecretID and SecretKey are both required)"))
	}
	if r.DurationSeconds < 0 {
		problems = append(problems, errors.New("DurationSeconds is negative"))
	}
	switch r.Mode {
	case ModeGetFederationToken:
		if r.Name == "" {
			problems = append(problems, errors.New("GetFederationToken needs a Name"))
		}
		if r.Policy == "" {
			problems = append(problems, errors.New("GetFederationToken needs a Policy"))
		}
	case ModeAssumeRole:
		if r.RoleARN == "" || r.RoleSessionName == "" {
			problems = append(problems, errors.New("AssumeRole needs a RoleARN and a RoleSessionName"))
		}
		problems = append(problems, checkTags(r.Tags)...)
	default:
		problems = append(problems, fmt.Errorf("mode %q is not GetFederationToken or AssumeRole", r.Mode))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %w", ErrInvalidRequest, errors.Join(problems...))
	}
	return nil
}

// Session tag limits of STS's AssumeRole: at most 50 tags, a key of 1 to 128 characters and a value of at most
// 256 (STS's Tag type). STS would refuse the call with InvalidParameter, after the caller authenticated and a
// round trip was spent; here it is a bug of the caller of Issue (SessionTag fits a sub to these limits).
const (
	maxTags        = 50
	maxTagKeyRunes = 128
	maxTagValRunes = 256
)

func checkTags(tags map[string]string) []error {
	var problems []error
	if len(tags) > maxTags {
		problems = append(problems, fmt.Errorf("%d session tags; STS takes at most %d", len(tags), maxTags))
	}
	for k, v := range tags {
		if n := utf8.RuneCountInString(k); n == 0 || n > maxTagKeyRunes {
			problems = append(problems, fmt.Errorf("a session tag key of %d characters; STS takes 1 to %d", n, maxTagKeyRunes))
		}
		if n := utf8.RuneCountInString(v); n > maxTagValRunes {
			problems = append(problems, fmt.Errorf("session tag %.32q has a value of %d characters; STS takes at most %d", k, n, maxTagValRunes))
		}
	}
	return problems
}
