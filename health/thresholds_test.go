package health

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreValid(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestLoadThresholdsOverridesWhatItNames(t *testing.T) {
	f, err := os.Open("testdata/thresholds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	th, err := LoadThresholds(f)
	if err != nil {
		t.Fatal(err)
	}
	d := Defaults()
	if th.QueueDepth != (Level{Warning: 50, Critical: 100}) {
		t.Errorf("queue_depth %+v", th.QueueDepth)
	}
	if th.DeadLetters != (Level{Warning: d.DeadLetters.Warning, Critical: 10}) {
		t.Errorf("dead_letters %+v: the warning level left out must keep its default", th.DeadLetters)
	}
	if !th.ConsumerUtilisation.Disabled || th.ConsumerUtilisation.Warning != d.ConsumerUtilisation.Warning {
		t.Errorf("consumer_utilisation %+v", th.ConsumerUtilisation)
	}
	if th.Window != 30*time.Second || th.MemoryWatermark != d.MemoryWatermark {
		t.Errorf("window %s, memory %+v", th.Window, th.MemoryWatermark)
	}
}

func TestLoadThresholdsRejects(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"queue_dept: {warning: 5}", `unknown field "queue_dept"`},
		{"queue_depth: {warning: 5, critcal: 9}", `unknown field "critcal"`},
		{"queue_depth: {warning: 500, critical: 100}", "queue_depth: critical (100) must be ≥ warning (500)"},
		{"consumer_utilisation: {warning: 0.1, critical: 0.5}", "consumer_utilisation: critical (0.5) must be ≤ warning (0.1)"},
		{"sockets: {warning: -1}", "sockets: levels must be ≥ 0"},
		{"window: 1s", "window: must be at least 10s"},
		{"queue_depth: {warning: lots}", "cannot unmarshal"},
	} {
		_, err := LoadThresholds(strings.NewReader(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want it to contain %q", tt.yaml, err, tt.want)
		}
	}
}

func TestLoadThresholdsEmptyIsDefaults(t *testing.T) {
	th, err := LoadThresholds(strings.NewReader("# nothing\n"))
	if err != nil || th != Defaults() {
		t.Errorf("%+v, %v", th, err)
	}
}

func TestWriteThresholdsRoundTrips(t *testing.T) {
	th := Defaults()
	th.QueueDepth = Level{Warning: 7, Critical: 70.5}
	th.Sockets.Disabled = true
	th.Window = 2 * time.Minute
	var b bytes.Buffer
	if err := WriteThresholds(&b, th); err != nil {
		t.Fatal(err)
	}
	back, err := LoadThresholds(&b)
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if back != th {
		t.Errorf("round trip\n got %+v\nwant %+v", back, th)
	}
}
