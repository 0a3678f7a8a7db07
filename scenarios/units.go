package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that reads and writes Go duration strings
// ("30s", "1h30m") in YAML and JSON, so scenario files and results stay
// readable by people.
type Duration time.Duration

// Std returns the value as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// String formats the duration the way Go does ("1m30s").
func (d Duration) String() string { return time.Duration(d).String() }

// ParseDuration reads a Go duration string. A bare "0" is accepted as zero.
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: use a Go duration such as 500ms, 30s, 1h30m", s)
	}
	return Duration(v), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (YAML and JSON use it).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// ByteSize is a number of bytes that reads "512B", "1KiB", "4KB", "2MiB" or a
// bare integer. KiB/MiB/GiB are powers of 1024; KB/MB/GB are powers of 1000,
// as the SI and IEC prefixes define them.
type ByteSize int64

var byteUnits = []struct {
	suffix string
	factor int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1000}, {"MB", 1000_000}, {"GB", 1000_000_000},
	{"kB", 1000}, {"B", 1},
}

// ParseByteSize reads a size such as "1KiB", "4KB" or "512".
func ParseByteSize(s string) (ByteSize, error) {
	s = strings.TrimSpace(s)
	num, factor := s, int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(s, u.suffix) {
			num, factor = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.factor
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) || v*float64(factor) > math.MaxInt64/2 {
		return 0, fmt.Errorf("invalid size %q: use a size such as 512B, 1KiB, 4KB or 2MiB", s)
	}
	return ByteSize(math.Round(v * float64(factor))), nil
}

// String formats the size with the largest binary unit that divides it
// exactly, so "1KiB" reads back as 1KiB.
func (b ByteSize) String() string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", b>>30)
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", b>>20)
	case b >= 1<<10 && b%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", b>>10)
	}
	return fmt.Sprintf("%dB", int64(b))
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *ByteSize) UnmarshalText(t []byte) error {
	v, err := ParseByteSize(string(t))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// Rate is a target message rate. The zero value means "no rate set"; a rate
// with Unlimited set means "as fast as the generator can go".
type Rate struct {
	Unlimited bool
	PerSecond float64
}

// ParseRate reads "500", "500/s", "30000/min", "2/ms" or "unlimited" ("0"
// also means unlimited, as on the command line).
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "unlimited" || s == "max" || s == "0" {
		return Rate{Unlimited: true}, nil
	}
	num, per := s, time.Second
	if i := strings.IndexByte(s, '/'); i >= 0 {
		num = strings.TrimSpace(s[:i])
		switch strings.TrimSpace(s[i+1:]) {
		case "s", "sec", "second":
			per = time.Second
		case "min", "m", "minute":
			per = time.Minute
		case "h", "hour":
			per = time.Hour
		case "ms":
			per = time.Millisecond
		default:
			return Rate{}, fmt.Errorf("invalid rate %q: use a rate such as 500/s, 30000/min or unlimited", s)
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return Rate{}, fmt.Errorf("invalid rate %q: use a rate such as 500/s, 30000/min or unlimited", s)
	}
	if v < 0 {
		return Rate{}, fmt.Errorf("invalid rate %q: a rate must be greater than 0 (or unlimited)", s)
	}
	if v == 0 {
		return Rate{Unlimited: true}, nil
	}
	return Rate{PerSecond: v * float64(time.Second) / float64(per)}, nil
}

// IsZero reports whether no rate was given.
func (r Rate) IsZero() bool { return !r.Unlimited && r.PerSecond == 0 }

// String formats the rate as "500/s" or "unlimited".
func (r Rate) String() string {
	if r.Unlimited {
		return "unlimited"
	}
	return strconv.FormatFloat(r.PerSecond, 'f', -1, 64) + "/s"
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Rate) UnmarshalText(t []byte) error {
	v, err := ParseRate(string(t))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalJSON accepts both the text form and a bare number.
func (r *Rate) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return r.UnmarshalText([]byte(s))
	}
	return r.UnmarshalText(b)
}
