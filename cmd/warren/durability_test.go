package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
)

// TestVerifyDurabilityCommand checks the command's plumbing on the shared
// broker with a restart command that restarts nothing: everything survives,
// and the command says which survivals were promised. The restart itself is
// tested on a private node in loadgen.
func TestVerifyDurabilityCommand(t *testing.T) {
	uri := testbroker.Require(t)
	out := t.TempDir()
	prefix := testbroker.UniqueName(t, "dur") + "."
	code, stdout, stderr := runCLI(t, nil, "verify-durability", "durability", "--uri", uri, "--prefix", prefix,
		"--restart-cmd", "true", "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		prefix + "durability.persistent: durable queue, persistent and confirmed messages: all 5000 survived.",
		"although without persistent messages nothing promised it",
		"verdict: no confirmed persistent message in a durable queue was lost",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "durability.json"))
	if err != nil || !strings.Contains(string(data), loadgen.DurabilitySchema) {
		t.Errorf("durability.json: %v", err)
	}
	code, _, stderr = runCLI(t, nil, "verify-durability", "durability", "--uri", uri)
	if code != exitBadInput || !strings.Contains(stderr, "--restart-cmd is required") {
		t.Errorf("without --restart-cmd: exit %d, %q", code, stderr)
	}
}
