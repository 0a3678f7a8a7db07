package reports

import (
	"math"
	"strconv"
	"strings"
)

// formatMillis formats a latency given in microseconds as milliseconds with
// three significant digits ("0.412", "12.3", "245"), and values of a second
// or more as whole milliseconds with thousands separators ("1,204"). The
// recorded resolution is one microsecond, so no more than three decimals are
// shown.
func formatMillis(us int64) string {
	if us <= 0 {
		return "0"
	}
	ms := float64(us) / 1000
	if ms >= 999.5 {
		return groupThousands(strconv.FormatFloat(math.Round(ms), 'f', 0, 64))
	}
	e := int(math.Floor(math.Log10(ms)))
	dec := min(max(2-e, 0), 3)
	s := strconv.FormatFloat(ms, 'f', dec, 64)
	// Rounding may carry into the next decade (9.996 → "10.00"): drop a
	// decimal to stay at three significant digits.
	if v, _ := strconv.ParseFloat(s, 64); v >= math.Pow10(e+1) && dec > 0 {
		s = strconv.FormatFloat(ms, 'f', dec-1, 64)
	}
	return s
}

// formatCount formats an integer with thousands separators: "12,345".
func formatCount(n int64) string {
	return groupThousands(strconv.FormatInt(n, 10))
}

// formatRate formats a rate in msg/s with one decimal and thousands
// separators: "1,000.0".
func formatRate(perSecond float64) string {
	if math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		return "n/a"
	}
	return groupThousands(strconv.FormatFloat(perSecond, 'f', 1, 64))
}

// formatPercent formats a ratio (0.999) as a percentage with one decimal
// ("99.9%").
func formatPercent(ratio float64) string {
	return strconv.FormatFloat(ratio*100, 'f', 1, 64) + "%"
}

// formatBytes formats a byte count in binary units with one decimal above a
// KiB: "512 B", "4.0 KiB", "12.3 MiB".
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n)
	suffixes := []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := -1
	for v >= unit && i < len(suffixes)-1 {
		v /= unit
		i++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + suffixes[i]
}

// groupThousands inserts commas into the integer part of a decimal number
// written as text ("-1234567.5" → "-1,234,567.5").
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		sign, s = s[:1], s[1:]
	}
	intPart, frac := s, ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		intPart, frac = s[:i], s[i:]
	}
	if len(intPart) <= 3 {
		return sign + s
	}
	var b strings.Builder
	lead := len(intPart) % 3
	if lead > 0 {
		b.WriteString(intPart[:lead])
	}
	for i := lead; i < len(intPart); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(intPart[i : i+3])
	}
	return sign + b.String() + frac
}

// plural returns "1 message" or "3 messages".
func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return formatCount(n) + " " + word + "s"
}
