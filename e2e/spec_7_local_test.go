package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cos-sts-scf/cos-sts-scf/internal/scfrpc"
)

// TestSpecLocal checks docs/contract.md §7: cmd/local runs the function with the STS
// emulator when STS_ENDPOINT is unset, and explain reads no keys.
func TestSpecLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/local")
	}
	// go run builds in a child process: stat the sources here so a cached pass is dropped when they change.
	if err := scfrpc.WatchSources(".."); err != nil {
		t.Fatalf("watch sources: %v", err)
	}
	event := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(event, []byte(`{"prefixes":["uploads/alice/"],"actions":["upload"]}`), 0o644); err != nil {
		t.Fatalf("write event: %v", err)
	}
	cases := []struct {
		name   string
		args   []string
		env    []string
		stdout []string // words stdout must contain
		stderr []string // words stderr must contain
	}{
		{
			name: "§7 invoke without STS_ENDPOINT starts the emulator, says so, and prints the reply",
			args: []string{"invoke", event}, stdout: []string{`"codeDesc": "Success"`, `"tmpSecretId"`}, stderr: []string{"emulator"},
		},
		{
			name: "§7 explain prints the policy with no keys configured",
			args: []string{"explain", event}, env: []string{"STS_BUCKET=examplebucket-1250000000", "STS_ALLOW_PREFIXES=uploads/"},
			stdout: []string{`"version": "2.0"`, "uploads/alice/*", "name/cos:PutObject"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// With the shared function build's -trimpath and CGO_ENABLED=0, go run finds the packages they have in
			// common already compiled.
			cmd := exec.Command("go", append([]string{"run", "-trimpath", "./cmd/local"}, c.args...)...)
			cmd.Dir = ".."
			cmd.Env = append(cleanEnv(), append([]string{"CGO_ENABLED=0"}, c.env...)...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("go run ./cmd/local %s: %v\n%s", strings.Join(c.args, " "), err, stderr.String())
			}
			for _, w := range c.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout %.500s; want it to contain %q", stdout.String(), w)
				}
			}
			for _, w := range c.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr %.500s; want it to contain %q", stderr.String(), w)
				}
			}
		})
	}
}

// cleanEnv is this process's environment without the function's variables.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STS_") && !strings.HasPrefix(kv, "TENCENTCLOUD_") {
			out = append(out, kv)
		}
	}
	return out
}
