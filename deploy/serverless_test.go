package deploy_test

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// serverlessYML is the part of serverless.yml these tests read.
type serverlessYML struct {
	Component string `yaml:"component"`
	Name      string `yaml:"name"`
	Inputs    struct {
		Name        string    `yaml:"name"`
		Src         yaml.Node `yaml:"src"`
		Runtime     string    `yaml:"runtime"`
		Handler     string    `yaml:"handler"`
		MemorySize  int       `yaml:"memorySize"`
		Timeout     int       `yaml:"timeout"`
		Role        string    `yaml:"role"`
		Environment struct {
			Variables map[string]string `yaml:"variables"`
		} `yaml:"environment"`
		Events []map[string]struct {
			Parameters map[string]any `yaml:"parameters"`
		} `yaml:"events"`
	} `yaml:"inputs"`
}

func loadServerless(t *testing.T) serverlessYML {
	t.Helper()
	b, err := os.ReadFile("../serverless.yml")
	if err != nil {
		t.Fatalf("read serverless.yml: %v", err)
	}
	var s serverlessYML
	if err := yaml.Unmarshal(b, &s); err != nil {
		t.Fatalf("parse serverless.yml: %v", err)
	}
	return s
}

func TestServerlessFunction(t *testing.T) {
	s := loadServerless(t)
	in := s.Inputs
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"component", s.Component, "scf"},
		{"runtime", in.Runtime, "Go1"},
		{"handler (the binary's name in the package)", in.Handler, "main"},
		{"function name", in.Name, "cos-sts-scf"},
		{"memorySize", in.MemorySize, 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("%s = %v; want %v", tc.name, tc.got, tc.want)
			}
		})
	}
	// The handler needs time for STS retries plus a clean error: a few
	// seconds at least, and SCF allows at most 900 for event functions.
	if in.Timeout < 5 || in.Timeout > 900 {
		t.Errorf("timeout = %d; want 5..900 seconds", in.Timeout)
	}
	if strings.TrimSpace(in.Role) == "" {
		t.Errorf("role is empty; want the execution role whose keys SCF hands over")
	}
}

// TestServerlessSrc checks that the package uploaded is dist/package/, where
// scripts/build.sh puts the binary and nothing stale, and not the source tree.
func TestServerlessSrc(t *testing.T) {
	src := loadServerless(t).Inputs.Src
	var dir string
	switch src.Kind {
	case yaml.ScalarNode:
		dir = src.Value
	case yaml.MappingNode:
		var m struct {
			Src     string   `yaml:"src"`
			Exclude []string `yaml:"exclude"`
		}
		if err := src.Decode(&m); err != nil {
			t.Fatalf("decode src: %v", err)
		}
		dir = m.Src
	default:
		t.Fatalf("src is neither a path nor a mapping")
	}
	if strings.TrimSuffix(strings.TrimPrefix(dir, "./"), "/") != "dist/package" {
		t.Errorf("src = %q; want ./dist/package, the folder scripts/build.sh makes afresh with main in it", dir)
	}
}

func TestServerlessEnvironment(t *testing.T) {
	vars := loadServerless(t).Inputs.Environment.Variables
	// Secrets are set in the console or come from the execution role: a value
	// here would be committed to the repository.
	for _, secret := range []string{"STS_SECRET_KEY", "TENCENTCLOUD_SECRETKEY", "TENCENTCLOUD_SESSIONTOKEN", "STS_JWT_SECRET"} {
		if v, ok := vars[secret]; ok {
			t.Errorf("environment sets %s (%d characters); secrets never go in serverless.yml", secret, len(v))
		}
	}
	// docs/contract.md §4's names: a typo would be silently ignored by the function.
	known := map[string]bool{}
	for _, name := range strings.Fields(`STS_SECRET_ID STS_ROLE_ARN STS_ROLE_EXTERNAL_ID STS_ENDPOINT STS_REGION STS_FEDERATION_NAME
		STS_BUCKET STS_BUCKET_REGION STS_ALLOW_PREFIXES STS_ALLOW_ACTIONS STS_DURATION_SECONDS STS_MAX_DURATION_SECONDS
		STS_POLICY STS_SCOPES STS_SCOPES_FILE STS_RESPONSE_FORMAT STS_ALLOW_ORIGINS STS_AUTH STS_LOG_LEVEL STS_CACHE
		STS_CACHE_MIN_REMAINING_SECONDS STS_MAX_CALLS_PER_SECOND STS_JWT_ISSUER STS_JWT_AUDIENCE STS_JWKS STS_JWKS_URL
		STS_JWT_LEEWAY_SECONDS`) {
		known[name] = true
	}
	for name := range vars {
		if !known[name] {
			t.Errorf("environment sets %s, which the function does not read", name)
		}
	}
	for _, required := range []string{"STS_BUCKET", "STS_ALLOW_PREFIXES", "STS_ROLE_ARN"} {
		if _, ok := vars[required]; !ok {
			t.Errorf("environment lacks %s", required)
		}
	}
}

func TestServerlessTrigger(t *testing.T) {
	events := loadServerless(t).Inputs.Events
	var http bool
	for _, ev := range events {
		if ev, ok := ev["http"]; ok {
			http = true
			net, _ := ev.Parameters["netConfig"].(map[string]any)
			if net["enableExtranet"] != true {
				t.Errorf("http trigger netConfig = %v; want enableExtranet: true", net)
			}
			if ev.Parameters["authType"] != "NONE" {
				t.Errorf("http trigger authType = %v; want NONE (the function authorises)", ev.Parameters["authType"])
			}
		}
		if _, ok := ev["apigw"]; ok {
			http = true
		}
	}
	if !http {
		t.Errorf("events = %v; want an http (Function URL) or apigw trigger", events)
	}
}
