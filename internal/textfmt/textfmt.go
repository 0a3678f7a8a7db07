package textfmt

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// binaryPrefixes are the prefixes of the binary units above a byte: KiB,
// MiB, GiB, TiB, PiB, EiB.
const binaryPrefixes = "KMGTPE"

// Bytes formats a byte count in binary units (1 KiB = 1,024 B), whole bytes
// below a KiB and one decimal above, as RabbitMQ's management UI does:
// "512 B", "4.0 KiB", "12.3 MiB", "1.5 GiB".
func Bytes(n int64) string {
	if n < 0 {
		// Through uint64, so that the smallest int64 has a magnitude too.
		return "-" + bytesOf(uint64(-(n+1))+1)
	}
	return bytesOf(uint64(n))
}

func bytesOf(n uint64) string {
	if n < 1024 {
		return strconv.FormatUint(n, 10) + " B"
	}
	v, i := float64(n)/1024, 0
	// Move up a unit while the value, rounded to one decimal, would show
	// 1024 or more: 1,048,575 B is "1.0 MiB", not "1024.0 KiB".
	for v >= 1023.95 && i < len(binaryPrefixes)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + binaryPrefixes[i:i+1] + "iB"
}

// Count formats a whole number with thousands separators: "12,345",
// "-1,234,567".
func Count(n int64) string {
	return Thousands(strconv.FormatInt(n, 10))
}

// Thousands inserts commas into the integer part of a number written as
// decimal text: "-1234567.5" → "-1,234,567.5". It is what Count does for
// numbers that another format has already written, chart ticks and
// figures with fixed decimals.
func Thousands(s string) string {
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

// Number formats a figure with three significant digits, trailing zeros
// dropped, and whole numbers (and anything from 1,000 up) rounded with
// thousands separators: "0.0125", "7.14", "12", "1,204". Infinities are
// "∞" and "-∞"; NaN is "n/a".
func Number(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "-∞"
	}
	if v == math.Trunc(v) || math.Abs(v) >= 999.5 {
		return whole(v)
	}
	return strconv.FormatFloat(roundSig(v, 3), 'f', -1, 64)
}

// whole rounds v and groups its thousands.
func whole(v float64) string {
	s := strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	if s == "-0" {
		s = "0"
	}
	return Thousands(s)
}

// roundSig rounds v to n significant digits.
func roundSig(v float64, n int) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow10(n - 1 - int(math.Floor(math.Log10(math.Abs(v)))))
	return math.Round(v*p) / p
}

// Rate formats a rate of messages per second with one decimal, dropped
// when it is zero, and thousands separators: "999.4 msg/s", "2,000 msg/s".
// The decimal shows a publisher that fell short of its target by less
// than one message a second. A rate that is not a number is "n/a".
func Rate(perSecond float64) string {
	if math.IsNaN(perSecond) || math.IsInf(perSecond, 0) {
		return "n/a"
	}
	s := strings.TrimSuffix(strconv.FormatFloat(perSecond, 'f', 1, 64), ".0")
	if s == "-0" {
		s = "0"
	}
	return Thousands(s) + " msg/s"
}

// Seconds formats a duration given in seconds in the unit a reader takes
// in at a glance, with three significant digits: "12.5 ms" below a second,
// "7.14 s" below two minutes, "12.5 min" below two hours, "3.5 h" above.
// Zero is "0 s"; an infinite duration (a backlog that never drains) is
// "∞".
func Seconds(s float64) string {
	switch {
	case math.IsNaN(s):
		return "n/a"
	case math.IsInf(s, 1):
		return "∞"
	case s < 0:
		return "-" + Seconds(-s)
	case s == 0:
		return "0 s"
	case roundSig(s, 3) < 1:
		return Number(s*1000) + " ms"
	case roundSig(s, 3) < 120:
		return Number(s) + " s"
	case roundSig(s/60, 3) < 120:
		return Number(s/60) + " min"
	}
	return Number(s/3600) + " h"
}

// Duration formats d as Seconds does: "25 ms", "5 min".
func Duration(d time.Duration) string { return Seconds(d.Seconds()) }

// Micros formats a latency in microseconds, the unit warren records
// latencies in, as Seconds does: "0.33 ms", "2.3 ms", "1.2 s".
func Micros(us int64) string { return Seconds(float64(us) / 1e6) }

// Plural writes a count and a noun that takes an s in the plural:
// "1 message", "0 messages", "1,200 messages".
func Plural[N ~int | ~int64](n N, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return Count(int64(n)) + " " + word + "s"
}

// OneLine folds a text's line breaks and runs of spaces into single
// spaces, for a line of Markdown or a table cell.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// EscapeMarkdown makes free text (an error message, a name a user chose)
// safe to embed in a line of Markdown: it folds it onto one line and
// escapes the characters that would start emphasis, a link, HTML, code or
// a heading. A table cell needs MarkdownCell as well.
func EscapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range OneLine(s) {
		switch r {
		case '\\', '*', '_', '`', '[', ']', '<', '>', '#':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MarkdownCell keeps text inside one cell of a Markdown table: line breaks
// become spaces and pipes are escaped, as GitHub's tables require even
// inside code spans (the escape is removed before the cell is read as
// Markdown).
func MarkdownCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
