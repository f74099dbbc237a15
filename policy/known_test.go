package policy

import "testing"

func TestKnownAction(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"PutObject", true},
		{"name/cos:PutObject", true},
		{"PostObject", true},
		{"AppendObject", true},
		{"DeleteMultipleObjects", true},
		{"UploadPart", true},
		{"GetBucket", true},
		{"HeadBucket", true},
		{"PutObjectACL", true},
		{"PostObjectRestore", true},
		{"PutObjekt", false},
		{"putobject", false},
		{"Putobject", false},
		{"PutObjectAcl", false},
		{"GetService", false},
		{"", false},
		{"name/cos:", false},
		{"*", false},
		{"name/cos:*", false},
		{"name/cam:PutObject", false},
		{"cos:PutObject", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := KnownAction(tc.name); got != tc.want {
				t.Errorf("KnownAction(%q) = %v; want %v", tc.name, got, tc.want)
			}
		})
	}
}

// TestPresetsAreKnown keeps the presets and the action list in step: a
// preset that named an unknown action would grant nothing.
func TestPresetsAreKnown(t *testing.T) {
	for _, preset := range []string{"upload", "download", "delete"} {
		for _, a := range presetActions(preset) {
			if !KnownAction(a) {
				t.Errorf("KnownAction(%q) = false for a name in preset %s; want true", a, preset)
			}
		}
	}
	for _, a := range multipartAPIs() {
		if !KnownAction(a) {
			t.Errorf("KnownAction(%q) = false; want true", a)
		}
	}
}
