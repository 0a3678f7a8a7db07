package results

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/scenarios"
)

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func smallResult() *Result {
	return &Result{
		Schema: ResultSchema, ID: "0badcafe",
		Scenario:  &scenarios.Scenario{Name: "tiny"},
		StartedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Summary:   Summary{Published: 10, Consumed: 10},
		Accounting: &Accounting{Schema: AccountingSchema, RunID: "0badcafe", InstanceID: "i",
			Publishers: []PublisherAccount{{ID: 1, Expected: map[string]int64{"q": 10}}},
			Queues:     []QueueAccount{{Queue: "q", Received: []ReceivedSeqs{{Publisher: 1, Seqs: seqs([2]uint64{0, 9})}}}}},
	}
}

func TestRunDirCommit(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "runs") // created on demand
	dir := filepath.Join(parent, "r1")
	rd, err := CreateRunDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Discard()
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the run directory exists before Commit: %v", err)
	}
	if p := rd.Path(); filepath.Dir(p) != parent || !strings.HasPrefix(filepath.Base(p), ".r1.partial-") {
		t.Fatalf("partial directory %s, want a hidden one beside %s", p, dir)
	}
	f, err := rd.Create(HlogFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := rd.WriteStart(StartInfo{Schema: RunSchema, ID: "0badcafe"}); err != nil {
		t.Fatal(err)
	}
	if err := rd.Commit(); err != nil {
		t.Fatal(err)
	}
	if rd.Path() != dir {
		t.Fatalf("Path after Commit is %s, want %s", rd.Path(), dir)
	}
	// A file opened before Commit writes into the committed directory.
	if _, err := f.WriteString("written after the commit\n"); err != nil {
		t.Fatal(err)
	}
	if err := rd.WriteResult(smallResult()); err != nil {
		t.Fatal(err)
	}
	rd.Discard() // a no-op once committed
	if got, want := entries(t, dir), []string{AccountingFile, HlogFile, ResultFile, RunFile}; !slices.Equal(got, want) {
		t.Fatalf("run directory holds %v, want %v", got, want)
	}
	if got := entries(t, parent); !slices.Equal(got, []string{"r1"}) {
		t.Fatalf("beside the run directory: %v, want nothing else", got)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, HlogFile)); string(data) != "written after the commit\n" {
		t.Fatalf("%s holds %q", HlogFile, data)
	}
	r, err := ReadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "0badcafe" || r.Summary.Published != 10 || r.Accounting != nil {
		t.Fatalf("read back %+v", r)
	}
	a, err := ReadAccounting(filepath.Join(dir, AccountingFile))
	if err != nil {
		t.Fatal(err)
	}
	if in := a.Integrity(); in.Expected != 10 || in.Received != 10 {
		t.Fatalf("accounting read back: %+v", in)
	}

	if _, err := CreateRunDir(dir); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("CreateRunDir over an existing directory: %v, want fs.ErrExist", err)
	}
}

func TestRunDirDiscard(t *testing.T) {
	parent := t.TempDir()
	rd, err := CreateRunDir(filepath.Join(parent, "r1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := rd.WriteResult(smallResult()); err != nil {
		t.Fatal(err)
	}
	rd.Discard()
	if got := entries(t, parent); len(got) != 0 {
		t.Fatalf("Discard left %v behind", got)
	}
}

func TestReadRunErrors(t *testing.T) {
	parent := t.TempDir()
	file := filepath.Join(parent, "file")
	empty := filepath.Join(parent, "empty")
	garbled := filepath.Join(parent, "garbled")
	for _, d := range []string{empty, garbled} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for path, content := range map[string]string{file: "x", filepath.Join(garbled, ResultFile): "{nope"} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ dir, want string }{
		{filepath.Join(parent, "nope"), "does not exist"},
		{file, "is a file"},
		{empty, "has no result.json: is it a run directory?"},
		{garbled, "not a warren result"},
	} {
		_, err := ReadRun(tc.dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadRun(%s): %v, want an error containing %q", filepath.Base(tc.dir), err, tc.want)
		}
	}
}

func TestFindRuns(t *testing.T) {
	root := t.TempDir()
	write := func(rel string) {
		t.Helper()
		p := filepath.Join(root, rel, ResultFile)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("repeats/2")
	write("repeats/10")
	write("repeats/nested/1")
	write("single")
	write("single/variant") // a run directory is one run, whatever is under it
	if err := os.Mkdir(filepath.Join(root, "none"), 0o755); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		path string
		want []string
	}{
		{"repeats", []string{"10", "2", filepath.Join("nested", "1")}},
		{"single", []string{"."}},
	} {
		got, err := FindRuns(filepath.Join(root, tc.path))
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("FindRuns(%s) = %v, %v; want %v", tc.path, got, err, tc.want)
		}
	}
	for path, want := range map[string]string{
		"none":                              "holds no result.json",
		"missing":                           "does not exist",
		filepath.Join("single", ResultFile): "is a file",
	} {
		if _, err := FindRuns(filepath.Join(root, path)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("FindRuns(%s): %v, want an error containing %q", path, err, want)
		}
	}
}

func TestWriteFilesLeavesNothingHalfWritten(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFile(filepath.Join(dir, "b"), []byte("old b")); err != nil {
		t.Fatal(err)
	}
	// A directory where c should go fails its rename after a and b were
	// written: a is in place, b keeps its old content, no temporary file
	// is left.
	if err := os.Mkdir(filepath.Join(dir, "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "c", "x"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFiles(dir, File{Name: "a", Data: []byte("a")}, File{Name: "c", Data: []byte("c")}, File{Name: "b", Data: []byte("new b")})
	if err == nil || !strings.Contains(err.Error(), "write c") {
		t.Fatalf("WriteFiles: %v, want an error naming c", err)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Fatalf("directory holds %v", got)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "b")); string(data) != "old b" {
		t.Fatalf("b holds %q, want the old content: it comes after the file that failed", data)
	}
	fi, err := os.Stat(filepath.Join(dir, "a"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("a: %v, mode %v; want it written, readable by everyone", err, fi.Mode())
	}
}
