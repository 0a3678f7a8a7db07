package sizing

import (
	"math"

	"github.com/warrenmq/warren/internal/textfmt"
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

// FormatValue prints v in unit u the way the plan's formulas do, in
// warren's conventions (package internal/textfmt): bytes in binary units
// ("4.8 MiB", "1.0 KiB"), counts with thousands separators, durations in
// ms, s, min or h, other figures with three significant digits.
func FormatValue(v float64, u Unit) string {
	switch u {
	case UnitMessages:
		return count(v) + " messages"
	case UnitMessagesPerSec:
		return textfmt.Rate(v)
	case UnitBytes:
		return formatBytes(v)
	case UnitBytesPerSec:
		return formatBytes(v) + "/s"
	case UnitMbitPerSec:
		return textfmt.Number(v) + " Mbit/s"
	case UnitSeconds:
		return textfmt.Seconds(v)
	case UnitMilliseconds:
		return count(v) + " ms"
	case UnitCount:
		return count(v)
	}
	return textfmt.Number(v)
}

// count rounds v to a whole number and groups its thousands; an infinite
// count is "∞".
func count(v float64) string { return textfmt.Number(math.Round(v)) }

// formatBytes prints a byte figure of the model, which is fractional (a
// per-message average), in binary units.
func formatBytes(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return textfmt.Number(v)
	}
	return textfmt.Bytes(int64(math.Round(v)))
}
