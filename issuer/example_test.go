package issuer_test

import (
	"fmt"

	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

func ExampleSessionName() {
	fmt.Println(issuer.SessionName("alice@example.com"))
	fmt.Println(issuer.SessionName("auth0|5f7c8ec7c33c6c004bbafe82")) // "|" is not allowed: changed, so hashed
	// Output:
	// alice@example.com
	// auth0-5f7c8ec7c33c6c004bbafe82-41aa487887e3c45c
}
