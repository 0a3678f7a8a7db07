package textfmt

import (
	"math"
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{512, "512 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{1536, "1.5 KiB"},
		{4096, "4.0 KiB"},
		{1_000_000, "976.6 KiB"},
		{1<<20 - 1, "1.0 MiB"}, // 1023.999 KiB rounds into the next unit
		{5_000_000, "4.8 MiB"},
		{12_900_000, "12.3 MiB"},
		{1536 << 20, "1.5 GiB"},
		{16 << 30, "16.0 GiB"},
		{3 << 40, "3.0 TiB"},
		{math.MaxInt64, "8.0 EiB"},
		{-2048, "-2.0 KiB"},
		{math.MinInt64, "-8.0 EiB"},
	} {
		if got := Bytes(tt.n); got != tt.want {
			t.Errorf("Bytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestCountAndThousands(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {48210, "48,210"}, {-1234567, "-1,234,567"},
		{math.MaxInt64, "9,223,372,036,854,775,807"},
	} {
		if got := Count(tt.n); got != tt.want {
			t.Errorf("Count(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	for in, want := range map[string]string{
		"1234567.5": "1,234,567.5", "-1000": "-1,000", "+12345.25": "+12,345.25", "999.999": "999.999", "": "", "0.5": "0.5",
	} {
		if got := Thousands(in); got != want {
			t.Errorf("Thousands(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNumber(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{0, "0"},
		{0.4, "0.4"},
		{0.0125, "0.0125"},
		{1.25, "1.25"},
		{7.142857, "7.14"},
		{12.34, "12.3"},
		{333.3333, "333"},
		{999.7, "1,000"}, // rounding reaches the thousands: grouped like them
		{1200, "1,200"},
		{1234567.8, "1,234,568"},
		{-0.0004, "-0.0004"},
		{-0.4, "-0.4"},
		{-1234.5, "-1,235"},
		{math.Inf(1), "∞"},
		{math.Inf(-1), "-∞"},
		{math.NaN(), "n/a"},
	} {
		if got := Number(tt.v); got != tt.want {
			t.Errorf("Number(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestRate(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{0, "0 msg/s"},
		{500, "500 msg/s"},
		{999.4, "999.4 msg/s"},
		{999.96, "1,000 msg/s"},
		{333.3333, "333.3 msg/s"},
		{1988.5, "1,988.5 msg/s"},
		{2000, "2,000 msg/s"},
		{-12.5, "-12.5 msg/s"},
		{-0.01, "0 msg/s"},
		{math.NaN(), "n/a"},
		{math.Inf(1), "n/a"},
	} {
		if got := Rate(tt.v); got != tt.want {
			t.Errorf("Rate(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	for _, tt := range []struct {
		s    float64
		want string
	}{
		{0, "0 s"},
		{0.0004, "0.4 ms"},
		{0.0125, "12.5 ms"},
		{0.042, "42 ms"},
		{0.9996, "1 s"}, // three significant digits make it a second
		{1, "1 s"},
		{7.142857, "7.14 s"},
		{45, "45 s"},
		{119.4, "119 s"},
		{119.97, "2 min"},
		{238, "3.97 min"},
		{300, "5 min"},
		{750, "12.5 min"},
		{3725, "62.1 min"},
		{7200, "2 h"},
		{3 * 3600, "3 h"},
		{12600, "3.5 h"},
		{-30, "-30 s"},
		{math.Inf(1), "∞"},
		{math.NaN(), "n/a"},
	} {
		if got := Seconds(tt.s); got != tt.want {
			t.Errorf("Seconds(%v) = %q, want %q", tt.s, got, tt.want)
		}
	}
	if got := Duration(25 * time.Millisecond); got != "25 ms" {
		t.Errorf("Duration(25ms) = %q", got)
	}
	if got := Micros(330); got != "0.33 ms" {
		t.Errorf("Micros(330) = %q", got)
	}
	if got := Micros(1_204_300); got != "1.2 s" {
		t.Errorf("Micros(1,204,300) = %q", got)
	}
}

func TestPlural(t *testing.T) {
	if got := Plural(1, "message"); got != "1 message" {
		t.Errorf("Plural(1) = %q", got)
	}
	if got := Plural(0, "message"); got != "0 messages" {
		t.Errorf("Plural(0) = %q", got)
	}
	if got := Plural(int64(1200), "message"); got != "1,200 messages" {
		t.Errorf("Plural(1200) = %q", got)
	}
	type small int
	if got := Plural(small(3), "queue"); got != "3 queues" {
		t.Errorf("Plural(small(3)) = %q", got)
	}
}

func TestMarkdown(t *testing.T) {
	for in, want := range map[string]string{
		"plain text":                 "plain text",
		"a *b* _c_ `d` [e](f) <g> #": `a \*b\* \_c\_ \` + "`" + `d\` + "`" + ` \[e\](f) \<g\> \#`,
		`back\slash`:                 `back\\slash`,
		"two\nlines\r\n  spaced":     "two lines spaced",
		"a | b":                      "a | b", // pipes are a table's business
	} {
		if got := EscapeMarkdown(in); got != want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"a | b":        `a \| b`,
		"x\ny\r\nz\rw": "x y z w",
		"a  *b*":       "a  *b*", // spaces and emphasis are kept
	} {
		if got := MarkdownCell(in); got != want {
			t.Errorf("MarkdownCell(%q) = %q, want %q", in, got, want)
		}
	}
	if got := OneLine(" a\n\tb  c "); got != "a b c" {
		t.Errorf("OneLine = %q", got)
	}
}
