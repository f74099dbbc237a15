package auth_test

import (
	"fmt"

	"github.com/cos-sts-scf/cos-sts-scf/auth"
)

func ExampleSubstitute() {
	claims := auth.Claims{"sub": "alice", "tenant": "acme", "evil": "../admin"}
	p, err := auth.Substitute("tenants/${jwt:tenant}/users/${jwt:sub}/", claims)
	fmt.Println(p, err)
	_, err = auth.Substitute("users/${jwt:evil}/", claims)
	fmt.Println(err)
	// Output:
	// tenants/acme/users/alice/ <nil>
	// auth: template: claim "evil" is not one safe path segment ([A-Za-z0-9._@=+-]{1,128}, not . or ..)
}

func ExampleBearerToken() {
	tok, err := auth.BearerToken("bearer eyJhbGciOiJIUzI1NiJ9.e30.sig")
	fmt.Println(tok, err)
	_, err = auth.BearerToken("Basic dXNlcjpwYXNz")
	fmt.Println(err)
	// Output:
	// eyJhbGciOiJIUzI1NiJ9.e30.sig <nil>
	// auth: unauthorized: Authorization header is not of the form "Bearer <token>"
}
