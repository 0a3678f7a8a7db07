package loadgen

import (
	"strings"
	"testing"

	"github.com/warrenmq/warren/results"
)

func TestGrowthWarnings(t *testing.T) {
	const mib = 1 << 20
	flat := func(n int) []results.SelfSample {
		out := make([]results.SelfSample, n)
		for i := range out {
			out[i] = results.SelfSample{T: i * 10, RSSBytes: 40*mib + int64(i%2)*mib, Goroutines: 20, OpenFiles: 12}
		}
		return out
	}
	leaking := flat(12)
	for i := range leaking {
		leaking[i].RSSBytes = int64(40+8*i) * mib
	}
	moreGoroutines := flat(12)
	for i := range moreGoroutines {
		moreGoroutines[i].Goroutines = 20 + 5*i
	}
	bumpOnce := flat(12)
	for i := 6; i < 12; i++ {
		bumpOnce[i].RSSBytes = 44 * mib // a step, not a trend
	}
	for _, tc := range []struct {
		name    string
		samples []results.SelfSample
		want    string
	}{
		{"flat", flat(12), ""},
		{"too few samples", leaking[:4], ""},
		{"memory leak", leaking, "resident memory"},
		{"goroutine leak", moreGoroutines, "goroutines"},
		{"one step up", bumpOnce, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(growthWarnings(tc.samples), "\n")
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("warnings %q, want %q", got, tc.want)
			}
		})
	}
}
