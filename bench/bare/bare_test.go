package main

import (
	"context"
	"encoding/json"
	"testing"
)

// TestHandleIgnoresTheEvent: whatever the event, the reply is the same small JSON object (bench/measure checks
// each reply of the real binary against it).
func TestHandleIgnoresTheEvent(t *testing.T) {
	for _, event := range []string{`{}`, `{"httpMethod":"POST","body":"{}"}`, `null`} {
		got, err := handle(context.Background(), json.RawMessage(event))
		if err != nil || string(got) != `{"ok":true}` {
			t.Errorf("handle(%s) = %s, %v; want {\"ok\":true}, nil", event, got, err)
		}
	}
}
