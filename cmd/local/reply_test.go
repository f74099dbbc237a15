package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"
)

func TestPrintReply(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		want    string
		wantErr bool
	}{
		{
			name:    "integration response: status, sorted headers, indented JSON body",
			payload: `{"isBase64Encoded":false,"statusCode":403,"headers":{"Content-Type":"application/json; charset=utf-8","Cache-Control":"no-store"},"body":"{\"code\":403,\"codeDesc\":\"AccessDenied\"}"}`,
			want: "HTTP 403\nCache-Control: no-store\nContent-Type: application/json; charset=utf-8\n\n" +
				"{\n  \"code\": 403,\n  \"codeDesc\": \"AccessDenied\"\n}\n",
		},
		{
			name:    "no body (204), list header",
			payload: `{"statusCode":204,"headers":{"Vary":["Origin","Accept"]},"body":""}`,
			want:    "HTTP 204\nVary: Origin, Accept\n\n",
		},
		{
			name:    "base64 body decoded, non-JSON written as is",
			payload: `{"statusCode":200,"headers":{},"body":"aGVsbG8=","isBase64Encoded":true}`,
			want:    "HTTP 200\n\nhello\n",
		},
		{
			name:    "direct invocation: the result indented",
			payload: `{"code":0,"codeDesc":"Success"}`,
			want:    "{\n  \"code\": 0,\n  \"codeDesc\": \"Success\"\n}\n",
		},
		{
			name:    "bad base64 is an error",
			payload: `{"statusCode":200,"body":"!!","isBase64Encoded":true}`,
			wantErr: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := printReply(&b, []byte(tc.payload))
			if (err != nil) != tc.wantErr {
				t.Fatalf("printReply error = %v; want error %v", err, tc.wantErr)
			}
			if !tc.wantErr && b.String() != tc.want {
				t.Errorf("printReply =\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

func TestPrintFunctionError(t *testing.T) {
	var b bytes.Buffer
	printFunctionError(&b, &messages.InvokeResponse_Error{
		Message: "boom", Type: "errorString", ShouldExit: true,
		StackTrace: []*messages.InvokeResponse_Error_StackFrame{{Path: "handler/handler.go", Line: 42, Label: "Invoke"}},
	})
	for _, want := range []string{"the function failed (errorString): boom", "handler/handler.go:42 Invoke", "ShouldExit"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output %q lacks %q", b.String(), want)
		}
	}
}
