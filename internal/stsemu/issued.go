package stsemu

import "time"

// IssuedKey is a temporary key the emulator handed out, with what a service
// that receives requests signed by it needs to judge them: the key to check
// signatures with, the token that must come along, when it stops working,
// and the policy it was cut down to.
type IssuedKey struct {
	SecretKey string
	Token     string
	Expires   time.Time
	// Policy is the CAM policy JSON the issuing call sent, URL-decoded; ""
	// when it sent none (role keys from NewRoleKeys, AssumeRole without a
	// Policy), so the key's rights are the role's, which the emulator does
	// not model.
	Policy string
}

// IssuedKey returns the temporary key with this SecretId, expired or not,
// so that a COS emulator can tell an expired key (ExpiredToken) from one it
// never issued (InvalidAccessKeyId). Keys outlive Reset, as they do in STS.
func (s *Server) IssuedKey(secretID string) (IssuedKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.temp[secretID]
	if !ok {
		return IssuedKey{}, false
	}
	return IssuedKey{SecretKey: k.secretKey, Token: k.token, Expires: k.expires, Policy: k.policy}, true
}
