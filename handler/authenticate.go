package handler

import (
	"context"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/auth"
	"github.com/cos-sts-scf/cos-sts-scf/config"
)

// authenticate names the caller under STS_AUTH=jwt: an HTTP caller by a verified bearer token (none needed for an
// anonymous scope), a direct invocation by the claims the operator passes. Without STS_AUTH=jwt nobody is named
// and claims are refused, so that they cannot look like they did something.
func (inv *invocation) authenticate(ctx context.Context, v *auth.Verifier, scope *config.Scope, p params) (auth.Claims, error) {
	if v == nil {
		if p.HasClaims {
			return nil, invalidParameter("claims are only read with STS_AUTH=jwt")
		}
		return nil, nil
	}
	if inv.shape == ShapeDirect {
		switch {
		case p.HasClaims:
			if sub, _ := auth.Claims(p.Claims).String("sub"); sub == "" {
				return nil, invalidParameter("claims must name the user with sub, a non-empty string, as a token must")
			}
			return auth.Claims(p.Claims), nil // the operator's own test of a scope as that user
		case scope.Anonymous:
			return nil, nil
		}
		return nil, unauthorized("a direct invocation names its user with claims, e.g. {\"claims\":{\"sub\":\"alice\"}}")
	}
	if p.HasClaims {
		return nil, invalidParameter("claims are refused over HTTP; callers are named by their bearer token")
	}
	header := inv.headers["authorization"]
	inv.secret(header)
	if header == "" {
		if scope.Anonymous {
			return nil, nil
		}
		return nil, unauthorized("a bearer token is required (Authorization: Bearer <JWT>)")
	}
	token, err := auth.BearerToken(header)
	if err != nil {
		return nil, unauthorized("%s", strings.TrimPrefix(err.Error(), "auth: "))
	}
	inv.secret(token)
	if dl, ok := ctx.Deadline(); ok {
		// Waiting for STS_JWKS_URL must leave the time a clean 504 needs, as the call to STS does.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-inv.h.opts.ReplyMargin))
		defer cancel()
	}
	claims, err := v.Verify(ctx, token)
	if err != nil {
		return nil, verifyError(err)
	}
	if sub, _ := claims.String("sub"); sub == "" {
		// Credentials, their cache entry and their CloudAudit record belong to a user; a token that names none
		// (no sub, or a number, a list, "") would share them with every other such token.
		return nil, unauthorized("the token has no sub claim naming its user (a non-empty string)")
	}
	return claims, nil
}

// sub is the verified caller's sub claim, "" when nobody is named (STS_AUTH=none, an anonymous scope).
func (inv *invocation) sub() string {
	sub, _ := inv.claims.String("sub")
	return sub
}
