package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/warrenmq/warren/internal/selfbench"
	"github.com/warrenmq/warren/internal/testbroker"
)

func TestProcsFor(t *testing.T) {
	for _, tc := range []struct {
		name        string
		given       int
		env, uri    string
		ncpu, wantN int
	}{
		{"loopback takes half", 0, "", "amqp://guest:guest@127.0.0.1:5672/", 2, 1},
		{"half of eight", 0, "", "amqp://u:p@127.0.0.9:5672/v", 8, 4},
		{"never below one", 0, "", "amqp://localhost/", 1, 1},
		{"ipv6 loopback", 0, "", "amqp://[::1]:5672/", 4, 2},
		{"the default uri is local", 0, "", "", 4, 2},
		{"a remote broker leaves the runtime's choice", 0, "", "amqp://u:p@rabbit.example.com:5672/", 8, 0},
		{"a remote address too", 0, "", "amqps://u:p@10.0.0.5:5671/", 8, 0},
		{"GOMAXPROCS in the environment wins", 0, "2", "amqp://127.0.0.1/", 8, 0},
		{"--procs wins over all", 3, "2", "amqp://127.0.0.1/", 8, 3},
		{"an unparsable uri is not local", 0, "", "http://127.0.0.1/", 8, 0},
	} {
		if got := procsFor(tc.given, tc.env, tc.uri, tc.ncpu); got != tc.wantN {
			t.Errorf("%s: procsFor(%d, %q, %q, %d) = %d, want %d", tc.name, tc.given, tc.env, tc.uri, tc.ncpu, got, tc.wantN)
		}
	}
}

// halfOf is how many threads warren takes of a machine with n CPUs that it
// shares with its broker: written out, not computed as procsFor does.
var halfOf = map[int]int{1: 1, 2: 1, 3: 1, 4: 2, 6: 3, 8: 4, 12: 6, 16: 8, 24: 12, 32: 16, 48: 24, 64: 32, 96: 48, 128: 64}

// halfOfThisMachine is halfOf for the machine the test runs on.
func halfOfThisMachine(t *testing.T) int {
	t.Helper()
	n, ok := halfOf[runtime.NumCPU()]
	if !ok {
		t.Skipf("no expected thread count written down for %d CPUs", runtime.NumCPU())
	}
	return n
}

func TestApplyProcsOnlyWhereTheCLIOwnsTheProcess(t *testing.T) {
	half := halfOfThisMachine(t)
	var set []int
	c := &cli{getenv: func(string) string { return "" }, setProcs: func(n int) int { set = append(set, n); return 0 }}
	applyProcs(c, 0, "amqp://127.0.0.1/")
	applyProcs(c, 5, "amqp://rabbit.example.com/")
	applyProcs(c, 0, "amqp://rabbit.example.com/")
	if want := []int{half, 5}; !slices.Equal(set, want) {
		t.Errorf("GOMAXPROCS set to %v, want %v", set, want)
	}
	applyProcs(&cli{getenv: func(string) string { return "" }}, 0, "amqp://127.0.0.1/") // must not panic
}

func TestWantQuietSysmon(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		godebug string
		uptime  float64
		want    bool
	}{
		{[]string{"run", "greenhouse"}, "", 1, true},
		{[]string{"bench"}, "http2client=0", 3, true},
		{[]string{"sweep", "x"}, "", 16.9, true},
		{[]string{"verify-durability"}, "", 0, true},
		{[]string{"report", "dir"}, "", 1, false},       // not a load command
		{nil, "", 1, false},                             // no command
		{[]string{"run"}, "schedtrace=0", 1, false},     // the user's opt-out
		{[]string{"run"}, quietSysmonGODEBUG, 1, false}, // already re-executed
		{[]string{"run"}, "", 17.5, false},              // too long since boot: the trace would print
	} {
		if got := wantQuietSysmon(tc.args, tc.godebug, tc.uptime); got != tc.want {
			t.Errorf("wantQuietSysmon(%q, %q, %.1f) = %v, want %v", tc.args, tc.godebug, tc.uptime, got, tc.want)
		}
	}
}

func TestWithQuietSysmon(t *testing.T) {
	got := withQuietSysmon([]string{"A=1", "GODEBUG=http2client=0", "B=2"})
	if want := []string{"A=1", "GODEBUG=http2client=0," + quietSysmonGODEBUG, "B=2"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	got = withQuietSysmon([]string{"A=1"})
	if want := []string{"A=1", "GODEBUG=" + quietSysmonGODEBUG}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	got = withQuietSysmon([]string{"GODEBUG="})
	if want := []string{"GODEBUG=" + quietSysmonGODEBUG}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestBinaryRunsLeanAgainstALocalBroker runs the real binary: by default it
// re-executes itself with the quiet monitor and takes half the CPUs of a
// machine it shares with the broker; GODEBUG=schedtrace=0 and --procs undo
// both.
func TestBinaryRunsLeanAgainstALocalBroker(t *testing.T) {
	uri := testbroker.Require(t)
	half := halfOfThisMachine(t)
	bin := buildWarren(t)
	dir := t.TempDir()
	// warren turns the quiet monitor on (Linux only) on a machine up for
	// less than 17 days. The time since boot is read here from
	// /proc/uptime, not from the clock warren reads, and not judged within
	// a day of the limit, where the two may disagree.
	wantQuiet, judgeQuiet := false, true
	if runtime.GOOS == "linux" {
		b, err := os.ReadFile("/proc/uptime")
		if err != nil {
			t.Fatal(err)
		}
		var secs float64
		if _, err := fmt.Sscan(string(b), &secs); err != nil {
			t.Fatalf("/proc/uptime: %v", err)
		}
		days := secs / 86400
		wantQuiet, judgeQuiet = days < 16, days < 16 || days > 18
	}

	bench := func(name string, env []string, args ...string) *selfbench.File {
		t.Helper()
		out := filepath.Join(dir, name+".json")
		cmd := exec.Command(bin, append([]string{"bench", "--cases", "d", "--duration", "1s", "--out", out}, args...)...)
		cmd.Env = append(withoutEnv(os.Environ(), "GODEBUG", "GOMAXPROCS"), append(env, "WARREN_URI="+uri)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, b)
		}
		bf, err := selfbench.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if m := bf.Cases[0].Median; m.Published == 0 || m.Consumed != m.Published {
			t.Errorf("%s: published %d, consumed %d", name, m.Published, m.Consumed)
		}
		return bf
	}
	lean := bench("default", nil)
	if lean.QuietSysmon != wantQuiet && judgeQuiet || lean.GoMaxProcs != half {
		t.Errorf("default: quiet sysmon %v (want %v), GOMAXPROCS %d (want %d)", lean.QuietSysmon, wantQuiet, lean.GoMaxProcs, half)
	}
	plain := bench("runtime-default", []string{"GODEBUG=schedtrace=0"}, "--procs", "2")
	if plain.QuietSysmon || plain.GoMaxProcs != 2 {
		t.Errorf("opted out: quiet sysmon %v, GOMAXPROCS %d; want false, 2", plain.QuietSysmon, plain.GoMaxProcs)
	}
}

// withoutEnv drops the named variables from an environment.
func withoutEnv(environ []string, names ...string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			out = append(out, kv)
		}
	}
	return out
}
