package stsemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/cos-sts-scf/cos-sts-scf/internal/uuid"
)

// apiVersion is the only STS version the emulator speaks, the one
// tencentcloud-sdk-go's sts/v20180813 package sends.
const apiVersion = "2018-08-13"

// maxBody bounds what one call may send; STS's own limit for POST is 10 MB,
// but nothing legitimate comes near 1 MiB.
const maxBody = 1 << 20

// ServeHTTP answers one STS call. Injected faults come first, then
// authentication, then the action's parameters; every call is recorded.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	gen := s.generation()
	c := Call{
		Action:    r.Header.Get("X-TC-Action"),
		Version:   r.Header.Get("X-TC-Version"),
		Region:    r.Header.Get("X-TC-Region"),
		Token:     r.Header.Get("X-TC-Token"),
		RequestID: uuid.New(),
	}
	if auth, ok := parseAuthorization(r.Header.Get("Authorization")); ok {
		c.SecretID = auth.SecretID
	}
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	p, paramErr := parseParams(body)
	c.fill(p)

	// Every call is recorded before its answer goes out, so a client that
	// has its answer can rely on Calls showing it.
	if f, ok := s.nextFault(); ok {
		if !s.delay(r, f, &c) {
			s.record(c, gen)
			if c.ErrorCode == "Closed" {
				// Without this the handler's return would still send an
				// empty 200 before Close reaches the connection.
				resetConnection(w)
			}
			return
		}
		if answer := s.faultAnswer(f, &c); answer != nil {
			s.record(c, gen)
			answer(w)
			return
		}
	}

	resp, e := s.serve(r, body, readErr, p, paramErr, &c)
	if e != nil {
		c.ErrorCode = e.Code
		s.record(c, gen)
		writeError(w, *e, c.RequestID)
		return
	}
	s.record(c, gen)
	writeJSON(w, map[string]any{"Response": resp})
}

// serve validates the call and mints credentials. It returns the inside of
// "Response" on success.
func (s *Server) serve(r *http.Request, body []byte, readErr error, p params, paramErr *apiError, c *Call) (map[string]any, *apiError) {
	if r.Method != http.MethodPost {
		return nil, &apiError{"UnsupportedProtocol", "The emulator accepts only POST with a JSON body, as tencentcloud-sdk-go sends."}
	}
	if readErr != nil || len(body) > maxBody {
		return nil, &apiError{"InvalidParameter", "The request body could not be read or is larger than 1 MiB."}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, &apiError{"InvalidParameter", "Content-Type must be application/json."}
	}
	temporary, e := s.authenticate(r, body)
	if e != nil {
		return nil, e
	}
	switch {
	case c.Action == "":
		return nil, &apiError{"MissingParameter", "The request is missing a required parameter `X-TC-Action`."}
	case c.Version == "":
		return nil, &apiError{"MissingParameter", "The request is missing a required parameter `X-TC-Version`."}
	case c.Version != apiVersion:
		return nil, &apiError{"NoSuchVersion", "The API version `" + c.Version + "` does not exist; STS speaks " + apiVersion + "."}
	case c.Region == "":
		return nil, &apiError{"MissingParameter", "The request is missing a required parameter `X-TC-Region`."}
	}
	if paramErr != nil {
		return nil, paramErr
	}
	switch c.Action {
	case "GetFederationToken":
		if temporary {
			return nil, &apiError{"FailedOperation.TempKeyNotAllowed", "GetFederationToken does not accept temporary keys; use AssumeRole."}
		}
		return s.getFederationToken(p, c)
	case "AssumeRole":
		return s.assumeRole(p, c)
	default:
		return nil, &apiError{"InvalidAction", "The action `" + c.Action + "` is not supported by the STS emulator."}
	}
}

// params are the JSON body's fields; pointers tell absent from empty.
type params struct {
	Name            *string
	Policy          *string
	DurationSeconds *json.Number
	RoleArn         *string
	RoleSessionName *string
	ExternalId      *string //nolint:revive // STS's own spelling.
	Tags            []struct{ Key, Value *string }
}

// parseParams decodes the body strictly: an unknown field is
// UnknownParameter, a wrong type InvalidParameter, as STS answers.
func parseParams(body []byte) (params, *apiError) {
	var p params
	if len(bytes.TrimSpace(body)) == 0 {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return params{}, &apiError{"UnknownParameter", "The parameter " + field + " is not recognized."}
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return params{}, &apiError{"InvalidParameter", "The parameter `" + typeErr.Field + "` has the wrong type."}
		}
		return params{}, &apiError{"InvalidParameter", "The request body is not a JSON object."}
	}
	if dec.More() {
		return params{}, &apiError{"InvalidParameter", "The request body holds more than one JSON value."}
	}
	return p, nil
}

// fill copies what was sent into the record, before any validation, so a
// test sees the parameters of refused and faulted calls too.
func (c *Call) fill(p params) {
	c.Name = deref(p.Name)
	c.RoleArn = deref(p.RoleArn)
	c.RoleSessionName = deref(p.RoleSessionName)
	c.ExternalId = deref(p.ExternalId)
	if p.DurationSeconds != nil {
		if n, err := p.DurationSeconds.Int64(); err == nil {
			c.DurationSeconds = int(n)
		}
	}
	if p.Policy != nil {
		c.RawPolicy = *p.Policy
		if dec, err := url.QueryUnescape(*p.Policy); err == nil {
			c.Policy = dec
		}
	}
	if len(p.Tags) > 0 {
		c.Tags = make(map[string]string, len(p.Tags))
		for _, t := range p.Tags {
			c.Tags[deref(t.Key)] = deref(t.Value)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
