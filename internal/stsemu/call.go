package stsemu

// Call is one request as the emulator saw it, so a test can check exactly
// what its client sent (the policy above all) and what it got back.
type Call struct {
	Action, Version, Region, SecretID string
	// Token is the X-TC-Token sent. Tests check only its presence; it is a
	// secret and is never logged.
	Token string
	// Name is GetFederationToken's Name.
	Name string
	// RoleArn, RoleSessionName and ExternalId are AssumeRole's parameters.
	RoleArn, RoleSessionName, ExternalId string
	// DurationSeconds as sent; 0 when absent.
	DurationSeconds int
	// Policy is the Policy parameter after URL-decoding: the CAM JSON. It is
	// empty when the parameter was absent or could not be decoded.
	Policy string
	// RawPolicy is the Policy parameter exactly as sent.
	RawPolicy string
	// Tags are AssumeRole's session tags, Key → Value.
	Tags map[string]string
	// RequestID is the RequestId the emulator answered with ("" when a fault
	// answered without one).
	RequestID string
	// ErrorCode is "" on success, else the STS error code answered, or for a
	// fault without one: "HTTP<status>", "ConnectionReset", "MalformedBody",
	// "EmptyCredentials", "ClientGone" or "Closed".
	ErrorCode string
	// Issued is what a success handed out.
	Issued Credentials
	// ExpiredTime is the Unix time the issued credentials expire.
	ExpiredTime int64
}

// Credentials is the Credentials object of an STS answer, field names as
// STS spells them.
type Credentials struct{ TmpSecretId, TmpSecretKey, Token string }
