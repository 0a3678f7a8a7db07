package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
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

// UnmarshalYAML reads a duration from YAML, locating a bad value.
func (d *Duration) UnmarshalYAML(node ast.Node) error {
	s, err := scalarText(node)
	if err != nil {
		return wrapNodeError(node, err)
	}
	v, err := ParseDuration(s)
	if err != nil {
		return nodeError(node, "%v", err)
	}
	*d = v
	return nil
}

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

// UnmarshalYAML reads a size from YAML, locating a bad value.
func (b *ByteSize) UnmarshalYAML(node ast.Node) error {
	s, err := scalarText(node)
	if err != nil {
		return wrapNodeError(node, err)
	}
	v, err := ParseByteSize(s)
	if err != nil {
		return nodeError(node, "%v", err)
	}
	*b = v
	return nil
}
