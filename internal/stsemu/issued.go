package stsemu

// IssuedCredential is one set of temporary credentials the emulator handed
// out in a successful GetFederationToken or AssumeRole answer, with what they
// were issued for.
type IssuedCredential struct {
	Credentials        // TmpSecretId, TmpSecretKey and Token, as answered
	Action      string // "GetFederationToken" or "AssumeRole"
	RequestID   string // the RequestId of the answer that carried them
	SecretID    string // the SecretId that signed the call
	// Policy is the CAM policy the call carried, URL-decoded; "" when the
	// call sent none (an AssumeRole with the role's whole rights).
	Policy string
	// ExpiredTime is the Unix time they expire.
	ExpiredTime int64
}

// Issued returns every credential the emulator has issued since New, in the
// order it issued them. Unlike Calls it is not cleared by Reset: a test that
// resets the call record between cases can still check, at its end, that no
// temporary key or token went anywhere it should not. Role keys made with
// NewRoleKeys are not in it: STS did not issue them in an answer. An answer
// that never reached its client (it gave up first) still counts: the
// credentials were minted.
func (s *Server) Issued() []IssuedCredential {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]IssuedCredential, len(s.issued))
	copy(out, s.issued)
	return out
}

// LookupIssued returns the credential issued with tmpSecretID, if the
// emulator issued one: what a service that accepts the temporary keys needs
// to know about them (their key and token, their policy, their expiry).
func (s *Server) LookupIssued(tmpSecretID string) (IssuedCredential, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.issuedAt[tmpSecretID]
	if !ok {
		return IssuedCredential{}, false
	}
	return s.issued[i], true
}

// remember adds ic to the issued record. The caller holds s.mu.
func (s *Server) remember(ic IssuedCredential) {
	s.issuedAt[ic.TmpSecretId] = len(s.issued)
	s.issued = append(s.issued, ic)
}
