package config

import (
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/issuer"
)

// LoadCredentials reads the keys the function signs its STS call with. It runs on every invocation: SCF injects
// the execution role's temporary keys into each one and rotates them, so a cached copy would expire under us.
//
// STS_SECRET_ID/STS_SECRET_KEY (a sub-account's permanent keys) win over the role keys in TENCENTCLOUD_*. Role keys
// are temporary and GetFederationToken refuses temporary keys, so they need STS_ROLE_ARN. Errors are *Error values
// that name the variable to set; they never quote a key.
func LoadCredentials(getenv func(string) string, roleARN string) (issuer.Credentials, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(name)) }
	id, key := get("STS_SECRET_ID"), get("STS_SECRET_KEY")
	switch {
	case id != "" && key != "":
		return issuer.Credentials{SecretID: id, SecretKey: key}, nil
	case id != "":
		return issuer.Credentials{}, &Error{Var: "STS_SECRET_KEY", Problem: "is empty while STS_SECRET_ID is set; set both keys of the sub-account, or neither to use the execution role"}
	case key != "":
		return issuer.Credentials{}, &Error{Var: "STS_SECRET_ID", Problem: "is empty while STS_SECRET_KEY is set; set both keys of the sub-account, or neither to use the execution role"}
	}

	id, key = get("TENCENTCLOUD_SECRETID"), get("TENCENTCLOUD_SECRETKEY")
	token := get("TENCENTCLOUD_SESSIONTOKEN")
	switch {
	case id == "" && key == "":
		if roleARN != "" {
			return issuer.Credentials{}, &Error{Var: "TENCENTCLOUD_SECRETID", Problem: "no execution role keys were handed to this invocation; bind an execution role to the function (it needs sts:AssumeRole on STS_ROLE_ARN), or set STS_SECRET_ID and STS_SECRET_KEY"}
		}
		return issuer.Credentials{}, &Error{Var: "STS_ROLE_ARN", Problem: "no keys to sign with: set STS_ROLE_ARN and bind an execution role to the function, or set STS_SECRET_ID and STS_SECRET_KEY of a CAM sub-account"}
	case id == "" || key == "":
		return issuer.Credentials{}, &Error{Var: "TENCENTCLOUD_SECRETKEY", Problem: "the execution role's keys are incomplete (TENCENTCLOUD_SECRETID or TENCENTCLOUD_SECRETKEY is empty); check the function's execution role"}
	case roleARN == "":
		return issuer.Credentials{}, &Error{Var: "STS_ROLE_ARN", Problem: "is required with the execution role's keys: they are temporary and GetFederationToken accepts permanent keys only; set STS_ROLE_ARN to the role to assume (or set STS_SECRET_ID and STS_SECRET_KEY)"}
	}
	return issuer.Credentials{SecretID: id, SecretKey: key, Token: token}, nil
}
