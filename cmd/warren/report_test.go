package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warrenmq/warren/results"
)

// fixtureResult is a realistic result (the greenhouse fixture of package
// reports), read from its result.json.
const fixtureResult = "../../reports/testdata/result.json"

// runDirFrom makes a run directory under parent holding a copy of the
// fixture result, changed by edit when it is not nil.
func runDirFrom(t *testing.T, parent, name string, edit func(*results.Result)) string {
	t.Helper()
	r, err := results.ReadResult(fixtureResult)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(r)
	}
	dir := filepath.Join(parent, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteFile(filepath.Join(dir, "result.json")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReportRerendersRunDir(t *testing.T) {
	dir := runDirFrom(t, t.TempDir(), "run", nil)
	code, stdout, stderr := runCLI(t, nil, "report", dir)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if want := "report: " + filepath.Join(dir, "report.md") + "\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	for _, name := range []string{"report.md", "latency.png", "throughput.png", "latency-over-time.png", "queue-depth.png", "broker-memory.png"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestReportBadInput(t *testing.T) {
	parent := t.TempDir()
	empty := filepath.Join(parent, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	oldSchema := runDirFrom(t, parent, "old", func(r *results.Result) { r.Schema = "warren.result/v0" })
	notJSON := filepath.Join(parent, "garbled")
	if err := os.Mkdir(notJSON, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(notJSON, "result.json"), []byte("{nope"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no argument", []string{"report"}, "expected a run directory"},
		{"missing", []string{"report", filepath.Join(parent, "nope")}, "does not exist"},
		{"a file", []string{"report", file}, "is a file"},
		{"no result.json", []string{"report", empty}, "has no result.json: is it a run directory?"},
		{"wrong schema", []string{"report", oldSchema}, `schema "warren.result/v0", want "warren.result/v1"`},
		{"not JSON", []string{"report", notJSON}, "not a warren result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tc.args...)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d", code, exitBadInput)
			}
			if !strings.HasPrefix(stderr, "warren report: ") || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q, want a warren report error containing %q", stderr, tc.want)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
				t.Errorf("want a one-line error, got:\n%s", stderr)
			}
		})
	}
}
