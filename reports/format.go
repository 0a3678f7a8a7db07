package reports

import (
	"math"
	"strconv"

	"github.com/warrenmq/warren/internal/textfmt"
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
		return textfmt.Thousands(strconv.FormatFloat(math.Round(ms), 'f', 0, 64))
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

// formatRateCell formats a rate for a table column whose header carries
// the unit: one decimal always, so that the column's figures line up
// ("1,000.0", "999.4"). Prose uses textfmt.Rate.
func formatRateCell(perSecond float64) string {
	if math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		return "n/a"
	}
	return textfmt.Thousands(strconv.FormatFloat(perSecond, 'f', 1, 64))
}

// formatPercent formats a ratio (0.999) as a percentage with one decimal
// ("99.9%").
func formatPercent(ratio float64) string {
	return strconv.FormatFloat(ratio*100, 'f', 1, 64) + "%"
}
