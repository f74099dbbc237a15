package handler

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/cos-sts-scf/cos-sts-scf/config"
	"github.com/cos-sts-scf/cos-sts-scf/policy"
)

// credentials is the part of the reply a COS SDK signs with.
//
// Token repeats SessionToken for Go clients: cos-go-sdk-v5's and qcloud-cos-sts-sdk's Credentials tag the session
// token `json:"Token"`, and encoding/json matches member names only case-insensitively, so decoding a reply into
// them would leave the token empty and every request would then fail as if the key were unknown.
type credentials struct {
	SessionToken string `json:"sessionToken"`
	TmpSecretID  string `json:"tmpSecretId"`
	TmpSecretKey string `json:"tmpSecretKey"`
	Token        string `json:"token"`
}

// grantFields are reported with every success so the app knows what it may do without decoding the policy.
type grantFields struct {
	Bucket   string   `json:"bucket"`
	Region   string   `json:"region"`
	Prefixes []string `json:"prefixes"`
	Keys     []string `json:"keys"`
	Actions  []string `json:"actions"`
}

// issued is the credential payload: the `data` of a cam reply, or the whole sts reply.
type issued struct {
	Credentials credentials `json:"credentials"`
	ExpiredTime int64       `json:"expiredTime"`
	StartTime   int64       `json:"startTime"`
	Expiration  string      `json:"expiration"`
	RequestID   string      `json:"requestId"`
	grantFields
}

// DryRun answers a dry run: the exact policy that would be sent, what it means, and nothing minted. It is the
// body of a dry run's reply (the data of a cam reply), and what Explain returns.
type DryRun struct {
	DryRun          bool            `json:"dryRun"`
	Mode            string          `json:"mode"`
	DurationSeconds int             `json:"durationSeconds"`
	Policy          json.RawMessage `json:"policy"`
	grantFields
	Scope      string   `json:"scope"`
	Resources  []string `json:"resources"`  // the resource strings of the policy's statements
	Conditions []string `json:"conditions"` // each condition, in words
	Warnings   []string `json:"warnings"`   // what a reviewer of this grant should look at twice
	Notes      []string `json:"notes"`
	Version    string   `json:"version"` // the function's build, as logged at cold start
}

// explain fills a dry run's explanation from the resolved grant.
func explain(r *resolved, mode, version string) *DryRun {
	b := &DryRun{
		DryRun: true, Mode: mode, DurationSeconds: r.DurationSeconds, Policy: json.RawMessage(r.PolicyJSON),
		grantFields: fieldsOf(r), Scope: r.Scope.Name, Version: version,
		Resources: []string{}, Conditions: []string{}, Warnings: []string{}, Notes: nonNil(r.Notes),
	}
	pol := r.Policy
	if r.Scope.Policy != "" {
		pol, _ = policy.Parse(r.Scope.Policy) // validated when the configuration was loaded
		b.Notes = append(b.Notes, "this scope uses STS_POLICY verbatim; callers cannot narrow it")
	} else {
		b.Warnings = append(b.Warnings, policy.Warnings(r.Grant)...)
	}
	seen := map[string]bool{}
	for _, st := range pol.Statement {
		for _, res := range st.Resource {
			if !seen[res] {
				seen[res] = true
				b.Resources = append(b.Resources, res)
			}
		}
	}
	b.Conditions = append(b.Conditions, policy.DescribeConditions(pol)...)
	return b
}

// camEnvelope is the seed's CAM JSON wrapper.
type camEnvelope struct {
	Code      int    `json:"code"`
	Message   string `json:"message"`
	CodeDesc  string `json:"codeDesc"`
	Data      any    `json:"data,omitempty"`
	RequestID string `json:"requestId,omitempty"`
}

type stsError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	RequestID string `json:"requestId"`
}

// successBody wraps a payload in the requested format.
func successBody(format string, payload any) any {
	if format == config.FormatSTS {
		return payload
	}
	return camEnvelope{Code: 0, Message: "", CodeDesc: "Success", Data: payload}
}

// errorBody is the one place an error reaches a caller: only the code and the safe message.
func errorBody(format string, e *Error, requestID string) any {
	if format == config.FormatSTS {
		var b stsError
		b.Error.Code, b.Error.Message, b.RequestID = e.Code, e.Message, requestID
		return b
	}
	return camEnvelope{Code: e.Status(), Message: e.Message, CodeDesc: e.Code, RequestID: requestID}
}

func fieldsOf(r *resolved) grantFields {
	g := r.Grant
	return grantFields{
		Bucket:   g.Bucket,
		Region:   g.Region,
		Prefixes: nonNil(g.Prefixes),
		Keys:     nonNil(g.Keys),
		Actions:  nonNil(g.Actions),
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// expiration renders Unix seconds as ISO 8601 UTC, the form COS SDKs parse.
func expiration(unix int64) string {
	return time.Unix(unix, 0).UTC().Format(time.RFC3339)
}

// reply is one answer before it is shaped for its trigger.
type reply struct {
	status  int
	headers map[string]string
	body    any // nil: no body (204)
}

// integrationResponse is what API Gateway and Function URL triggers turn into an HTTP response. encode writes it
// by hand, in this struct's encoding (tests decode replies with it, and hold encode to json.Marshal of it).
type integrationResponse struct {
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
}

// replyHeaders are on every reply of an HTTP trigger (docs/contract.md §3), sorted as JSON writes a map's keys.
var replyHeaders = [...][2]string{{"Cache-Control", "no-store"}, {"Content-Type", "application/json; charset=utf-8"}}

// encode shapes a reply for its trigger: HTTP triggers get an integration response, a direct invocation the body.
// The body is marshalled once; an integration response is written around it as json.Marshal of
// integrationResponse would write it (headers in the order of their names), with the body escaped straight into
// its string rather than marshalled a second time.
func encode(shape Shape, r reply) (json.RawMessage, error) {
	body, err := marshalBody(r.body)
	if err != nil {
		return nil, err
	}
	if shape == ShapeDirect {
		if len(body) == 0 {
			return json.RawMessage("{}"), nil
		}
		return body, nil
	}
	names := make([]string, 0, len(replyHeaders)+len(r.headers))
	for _, h := range replyHeaders {
		if _, over := r.headers[h[0]]; !over {
			names = append(names, h[0])
		}
	}
	for k := range r.headers {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([]byte, 0, 128+64*len(names)+len(body)+len(body)/4)
	out = append(out, `{"isBase64Encoded":false,"statusCode":`...)
	out = strconv.AppendInt(out, int64(r.status), 10)
	out = append(out, `,"headers":{`...)
	for i, k := range names {
		if i > 0 {
			out = append(out, ',')
		}
		v, ok := r.headers[k]
		if !ok {
			for _, h := range replyHeaders {
				if h[0] == k {
					v = h[1]
				}
			}
		}
		out = appendString(out, k)
		out = append(out, ':')
		out = appendString(out, v)
	}
	out = append(out, `},"body":`...)
	out = appendString(out, string(body))
	return append(out, '}'), nil
}

// marshalBody is json.Marshal of a reply's body (nothing for nil). A success with credentials, the reply every
// minting invocation sends, is written by hand (appendJSON), as Marshal would write it (TestMarshalBodyIsMarshal,
// FuzzIssuedJSON): it is most of the reply's encoding, and reflection over it cost more than the rest of the reply.
func marshalBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return []byte{}, nil
	case issued:
		return b.appendJSON(make([]byte, 0, b.size())), nil
	case camEnvelope:
		if d, ok := b.Data.(issued); ok && b.RequestID == "" {
			out := make([]byte, 0, 64+len(b.Message)+len(b.CodeDesc)+d.size())
			out = append(out, `{"code":`...)
			out = strconv.AppendInt(out, int64(b.Code), 10)
			out = append(out, `,"message":`...)
			out = appendString(out, b.Message)
			out = append(out, `,"codeDesc":`...)
			out = appendString(out, b.CodeDesc)
			out = append(out, `,"data":`...)
			out = d.appendJSON(out)
			return append(out, '}'), nil
		}
	}
	return json.Marshal(body)
}

// size is about how long issued's JSON is, so that it is written into one buffer.
func (d issued) size() int {
	n := 256 + len(d.Credentials.SessionToken)*2 + len(d.Credentials.TmpSecretID) + len(d.Credentials.TmpSecretKey) +
		len(d.Expiration) + len(d.RequestID) + len(d.Bucket) + len(d.Region)
	for _, list := range [][]string{d.Prefixes, d.Keys, d.Actions} {
		for _, s := range list {
			n += len(s) + 3
		}
	}
	return n
}

// appendJSON appends json.Marshal(d).
func (d issued) appendJSON(out []byte) []byte {
	c := d.Credentials
	out = append(out, `{"credentials":{"sessionToken":`...)
	out = appendString(out, c.SessionToken)
	out = append(out, `,"tmpSecretId":`...)
	out = appendString(out, c.TmpSecretID)
	out = append(out, `,"tmpSecretKey":`...)
	out = appendString(out, c.TmpSecretKey)
	out = append(out, `,"token":`...)
	out = appendString(out, c.Token)
	out = append(out, `},"expiredTime":`...)
	out = strconv.AppendInt(out, d.ExpiredTime, 10)
	out = append(out, `,"startTime":`...)
	out = strconv.AppendInt(out, d.StartTime, 10)
	out = append(out, `,"expiration":`...)
	out = appendString(out, d.Expiration)
	out = append(out, `,"requestId":`...)
	out = appendString(out, d.RequestID)
	out = append(out, `,"bucket":`...)
	out = appendString(out, d.Bucket)
	out = append(out, `,"region":`...)
	out = appendString(out, d.Region)
	out = append(out, `,"prefixes":`...)
	out = appendStrings(out, d.Prefixes)
	out = append(out, `,"keys":`...)
	out = appendStrings(out, d.Keys)
	out = append(out, `,"actions":`...)
	out = appendStrings(out, d.Actions)
	return append(out, '}')
}

// appendStrings appends a list of strings as json.Marshal writes it: null for nil.
func appendStrings(out []byte, list []string) []byte {
	if list == nil {
		return append(out, "null"...)
	}
	out = append(out, '[')
	for i, s := range list {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, s)
	}
	return append(out, ']')
}
