package reports

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
)

func TestFormatMillis(t *testing.T) {
	for _, tc := range []struct {
		us   int64
		want string
	}{
		{0, "0"},
		{-5, "0"},
		{1, "0.001"},
		{41, "0.041"},
		{412, "0.412"},
		{999, "0.999"},
		{1_000, "1.00"},
		{1_204, "1.20"},
		{9_996, "10.0"},
		{12_345, "12.3"},
		{99_960, "100"},
		{245_400, "245"},
		{999_400, "999"},
		{999_500, "1,000"},
		{1_204_300, "1,204"},
		{60_000_000, "60,000"},
	} {
		if got := formatMillis(tc.us); got != tc.want {
			t.Errorf("formatMillis(%d) = %q, want %q", tc.us, got, tc.want)
		}
	}
}

func TestFormatNumbers(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{formatRateCell(999.24), "999.2"},
		{formatRateCell(12345.67), "12,345.7"},
		{formatRateCell(1000), "1,000.0"},
		{formatPercent(0.9992), "99.9%"},
		{formatArgument(float64(1_000_000)), "1000000"},
		{formatArgument(0.25), "0.25"},
		{formatArgument("reject-publish"), "reject-publish"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestPercentileTicks(t *testing.T) {
	var labels []string
	for _, tk := range percentileTicks(math.Log10(20_000)) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	want := []string{"0%", "90%", "99%", "99.9%", "99.99%"}
	if len(labels) != len(want) {
		t.Fatalf("labels %q, want %q", labels, want)
	}
	for i := range want {
		if labels[i] != want[i] {
			t.Errorf("label %d = %q, want %q", i, labels[i], want[i])
		}
	}
	last := percentileTicks(6)
	if l := last[len(last)-1]; l.Value != 6 || l.Label != "99.9999%" {
		t.Errorf("last tick for 1e6 = %+v, want 99.9999%% at log10(1e6)", l)
	}
}

func TestIntegrityVerdict(t *testing.T) {
	for _, tc := range []struct {
		in   results.Integrity
		want string
	}{
		{results.Integrity{}, "Nothing to account for: no confirmed message was expected at any queue (integrity is checked against publisher confirms)."},
		{results.Integrity{Expected: 10, Received: 10}, "No message lost, none duplicated."},
		{results.Integrity{Expected: 10, Received: 9, Lost: 1}, "**1 message lost**, none duplicated."},
		{results.Integrity{Expected: 10, Received: 12, Duplicated: 2}, "No message lost; **2 messages duplicated**."},
		// Republishing allows as many duplicates as it sent again, not more.
		{results.Integrity{Expected: 10, Received: 10, Duplicated: 2, Republished: 40}, "No message lost; 2 messages duplicated, within the 40 republished (at-least-once)."},
		{results.Integrity{Expected: 10, Received: 10, Duplicated: 3, Republished: 2}, "No message lost; **3 messages duplicated**."},
		// So do redeliveries of messages whose ack never reached the broker.
		{results.Integrity{Expected: 10, Received: 10, Duplicated: 1, Redelivered: 4}, "No message lost; 1 message duplicated, within the 4 redelivered (at-least-once)."},
		{results.Integrity{Expected: 10, Received: 10, Duplicated: 5, Redelivered: 4, Republished: 1}, "No message lost; 5 messages duplicated, within the 4 redelivered and 1 republished (at-least-once)."},
		{results.Integrity{Expected: 10, Received: 10, Duplicated: 6, Redelivered: 4, Republished: 1}, "No message lost; **6 messages duplicated**."},
		{results.Integrity{Expected: 5000, Received: 3999, Lost: 1200, Duplicated: 199}, "**1,200 messages lost**, **199 duplicated**."},
	} {
		if got := integrityVerdict(tc.in); got != tc.want {
			t.Errorf("integrityVerdict(%+v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{textfmt.EscapeMarkdown("a *b* | c_d\nnext"), `a \*b\* | c\_d next`},
		{code("greenhouse.all"), "`greenhouse.all`"},
		{code("a|b"), "`a|b`"},
		{code("odd`name"), "`` odd`name ``"},
		{code(""), `""`},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// The report depends on nothing but the result: rendering one result many
// times (maps iterate in a new order each time) gives the same bytes, and
// the bytes of the golden file.
func TestMarkdownDeterministic(t *testing.T) {
	r, err := results.ReadResult(filepath.Join("testdata", "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "greenhouse.md"))
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if got := markdown(r); !bytes.Equal(got, want) {
			t.Fatal("markdown(result.json) differs from testdata/greenhouse.md or from a previous call")
		}
	}
}
