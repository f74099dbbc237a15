package scopesyaml

import (
	"strings"
	"testing"
)

func TestDecodeIsStrict(t *testing.T) {
	var v map[string]struct {
		Bucket string `yaml:"bucket"`
		On     bool   `yaml:"on"`
	}
	if err := Decode([]byte("a:\n  bucket: b\n  on: yes\n"), &v); err != nil || v["a"].Bucket != "b" || !v["a"].On {
		t.Errorf("Decode = %+v, %v", v, err)
	}
	if err := Decode([]byte("a:\n  bucket: b\n  buckt: c\n"), &v); err == nil || !strings.Contains(err.Error(), "line 3: field buckt not found") {
		t.Errorf("a field v has no place for: %v; want an error naming its line", err)
	}
	v = nil
	if err := Decode(nil, &v); err != nil || v != nil {
		t.Errorf("an empty document: %+v, %v; want nothing decoded and no error", v, err)
	}
}
