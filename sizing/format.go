package sizing

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Unit says what a Line's Value counts and how to print it.
type Unit string

// Units of Line values.
const (
	UnitMessages       Unit = "messages"
	UnitMessagesPerSec Unit = "msg/s"
	UnitBytes          Unit = "bytes"
	UnitBytesPerSec    Unit = "bytes/s"
	UnitMbitPerSec     Unit = "Mbit/s"
	UnitSeconds        Unit = "s"
	UnitMilliseconds   Unit = "ms"
	UnitCount          Unit = "count"
	UnitFraction       Unit = "fraction"
	UnitText           Unit = "text" // the value is Line.Text
)

// FormatValue prints v in unit u the way the plan's formulas do: bytes in
// SI units with three significant digits ("5 MB", "1.02 kB"), counts with
// thousands separators, durations in s, ms or h/m/s.
func FormatValue(v float64, u Unit) string {
	switch u {
	case UnitMessages:
		return FormatCount(v) + " messages"
	case UnitMessagesPerSec:
		return formatNumber(v) + " msg/s"
	case UnitBytes:
		return formatBytes(v)
	case UnitBytesPerSec:
		return formatBytes(v) + "/s"
	case UnitMbitPerSec:
		return formatNumber(v) + " Mbit/s"
	case UnitSeconds:
		return formatSeconds(v)
	case UnitMilliseconds:
		return FormatCount(v) + " ms"
	case UnitCount:
		return FormatCount(v)
	case UnitFraction:
		return formatNumber(v)
	}
	return formatNumber(v)
}

// formatNumber prints v with up to three significant digits after the
// point for small values and whole numbers grouped by thousands.
func formatNumber(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return "∞"
	}
	if v == math.Trunc(v) || math.Abs(v) >= 1000 {
		return FormatCount(math.Round(v))
	}
	return strconv.FormatFloat(roundSig(v, 3), 'f', -1, 64)
}

// FormatCount groups a whole number by thousands: 5000 → "5,000". The
// command line uses it for any count it prints.
func FormatCount(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return "∞"
	}
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// formatBytes prints bytes in SI units (kB = 1,000 B) with three
// significant digits: 632 B, 5 MB, 1.02 kB, 537 MB.
func formatBytes(v float64) string {
	units := []string{"B", "kB", "MB", "GB", "TB", "PB"}
	if math.Abs(v) < 1000 {
		return formatNumber(math.Round(v)) + " B"
	}
	i := 0
	for math.Abs(v) >= 999.5 && i < len(units)-1 {
		v /= 1000
		i++
	}
	return strconv.FormatFloat(roundSig(v, 3), 'f', -1, 64) + " " + units[i]
}

// formatSeconds prints a duration given in seconds.
func formatSeconds(s float64) string {
	switch {
	case math.IsInf(s, 0) || math.IsNaN(s):
		return "never"
	case s == 0:
		return "0 s"
	case s < 1:
		return strconv.FormatFloat(roundSig(s*1000, 3), 'f', -1, 64) + " ms"
	case s < 120:
		return strconv.FormatFloat(roundSig(s, 3), 'f', -1, 64) + " s"
	}
	r := math.Round(s)
	switch {
	case math.Mod(r, 3600) == 0:
		return FormatCount(r/3600) + " h"
	case math.Mod(r, 60) == 0:
		return FormatCount(r/60) + " min"
	}
	return time.Duration(r * float64(time.Second)).String()
}

func formatDuration(d time.Duration) string { return formatSeconds(d.Seconds()) }

// roundSig rounds v to n significant digits.
func roundSig(v float64, n int) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow10(n - 1 - int(math.Floor(math.Log10(math.Abs(v)))))
	return math.Round(v*p) / p
}
