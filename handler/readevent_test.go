package handler

import (
	"encoding/json"
	"reflect"
	"testing"
)

// readEventCases are events where reading once could differ from classifying, then decoding: every shape, and
// every way an HTTP event can be wrong.
var readEventCases = append([]string{
	`{"httpMethod":"POST","headers":{"Origin":"https://a.example","X-SCF-Remote-Addr":"203.0.113.7","authorization":["a","b"],"accept":"*/*"},"body":"eyJkcnlSdW4iOnRydWV9","isBase64Encoded":true,"queryString":{}}`,
	`{"httpMethod":"GET","requestContext":{"requestId":"gw-1","sourceIp":"10.0.2.14"},"headers":{"x-scf-remote-addr":"1.2.3.4"},"queryString":{"prefixes":["a/","b/"],"dryRun":true}}`,
	`{"httpMethod":"GET","requestContext":{},"headers":{"x-scf-remote-addr":"1.2.3.4"}}`,
	`{"httpMethod":"GET","requestContext":{"requestId":5}}`,
	`{"httpMethod":"GET","requestContext":"x"}`,
	`{"httpMethod":"GET","requestContext":[]}`,
	`{"httpMethod":"GET","headers":5}`,
	`{"httpMethod":"GET","headers":{"origin":5,"Origin":"x"}}`,
	`{"httpMethod":"GET","headers":{"x-scf-remote-addr":"1.1.1.1","X-Scf-Remote-Addr":"2.2.2.2"}}`,
	`{"httpMethod":"POST","body":"%%%","isBase64Encoded":true}`,
	`{"httpMethod":"POST","body":null}`,
	`{"httpMethod":"POST","body":5}`,
	`{"httpMethod":"POST","isBase64Encoded":"yes","body":"e30="}`,
	`{"httpMethod":"POST","queryString":[]}`,
	`{"httpMethod":"POST","queryString":{"a":null}}`,
	`{"HttpMethod":"POST","BODY":"{}"}`,
	`{"httpMethod":"\u0050OST","body":"{}"}`,
	` {"httpMethod":"GET"} `,
	`{"httpMethod":"GET"} x`,
	`{"prefixes":["a/"],"headers":"not an object"}`,
	`{"scope":"default","body":5}`,
	`{"httpMethod":2,"httpMethod":"GET"}`,
	`{"httpMethod":"GET","HTTPMETHOD":null}`,
	`{"httpMethod":"GET","requestContext":5,"requestContext":{}}`,
	`{"httpMethod":"GET","requestContext":{"requestId":"a"},"RequestContext":{"sourceIp":"1.2.3.4"}}`,
	`{"httpMethod":"GET","requestContext":{"requestId":"a"},"requestContext":null,"headers":{"x-scf-remote-addr":"5.6.7.8"}}`,
	`{"httpMethod":"GET","headers":{"origin":"a"},"Headers":{"Origin":"b"}}`,
	"\u00a0{\"httpMethod\":\"GET\"}",
	`{"httpMethod":"GET","headers":{"origin":"a","origin":"b","Origin":"b"}}`,
	`{"httpMethod":"GET","headers":{"origin":"a","Origin":"b","origin":"b"}}`,
	`{"httpMethod":"GET","headers":{"x-scf-remote-addr":["1.1.1.1",2],"authorization":{"a":1},"Origin":null}}`,
	`{"httpMethod":"G\u0045T","body":"\u00e9\ud800","isBase64Encoded":false,"queryString":{"scope":"a","dryRun":true,"prefixes":["a/",null]}}`,
	`{"httpMethod":"GET","body":"","isBase64Encoded":true}`,
	`{"httpMethod":"GET","body":"","isBase64Encoded":null}`,
	`{"httpMethod":"GET","requestContext":{"requestId":null,"sourceIp":"1.2.3.4","x":[{"y":-0.5e+3}]}}`,
	`{"httpMethod":"GET","requestContext":{"requestId":"a","RequestID":"b"}}`,
	`{"httpMethod":"GET","requestContext":{"requestİd":"a"}}`,
	`{"httpMethod":"GET","headers":{"orİgin":"x"}}`,
	`{"httpMethod":"GET","x":01}`,
	`{"httpMethod":"GET","x":1.}`,
	`{"httpMethod":"GET","x":-}`,
	`{"httpMethod":"GET","x":"\x"}`,
	`{"httpMethod":"GET","x":"\u12"}`,
	"{\"httpMethod\":\"GET\",\"x\":\"a\tb\"}",
	`{"httpMethod":"GET",}`,
	`{"httpMethod":"GET"`,
	`{"httpMethod":"GET","x":[1,]}`,
	`{"httpMethod":"GET","x":tru}`,
	`{"httpMethod":"\xff"}`,
	"{\"httpMethod\":\"GET\xff\"}",
	`{"httpMethod":"GET","queryString":{"a":1,"a":2}}`,
}, skimCases...)

// FuzzReadEvent: readEvent's one pass gives what classify and decodeHTTPEvent give, shape, event and error alike.
func FuzzReadEvent(f *testing.F) {
	for _, raw := range readEventCases {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		checkReadEvent(t, raw)
	})
}

func TestReadEventAgreesWithClassifyAndDecode(t *testing.T) {
	for _, raw := range readEventCases {
		checkReadEvent(t, []byte(raw))
	}
	// The cases must take both ways, or the agreement says little.
	var one, other int
	for _, raw := range readEventCases {
		if _, _, ok := scanEvent([]byte(raw)); ok {
			one++
		} else {
			other++
		}
	}
	if one < 10 || other < 10 {
		t.Errorf("%d cases read in one pass, %d the other way; want both many", one, other)
	}
}

func checkReadEvent(t *testing.T, raw []byte) {
	t.Helper()
	if _, _, ok := scanEvent(raw); ok && !json.Valid(raw) {
		t.Fatalf("scanEvent read %q, which is not JSON", raw)
	}
	shape, ev, err := readEvent(raw)
	wantShape := classify(raw)
	var wantEv *httpEvent
	var wantErr error
	if wantShape != ShapeDirect {
		wantEv, wantErr = decodeHTTPEvent(raw, wantShape)
	}
	if shape != wantShape {
		t.Fatalf("readEvent(%q): shape %q; classify says %q", raw, shape, wantShape)
	}
	if !reflect.DeepEqual(ev, wantEv) {
		t.Fatalf("readEvent(%q): event %+v; decodeHTTPEvent gives %+v", raw, ev, wantEv)
	}
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("readEvent(%q): error %v; decodeHTTPEvent gives %v", raw, err, wantErr)
	}
}
