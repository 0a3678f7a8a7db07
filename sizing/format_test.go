package sizing

import (
	"math"
	"testing"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		u    Unit
		want string
	}{
		{5000, UnitMessages, "5,000 messages"},
		{5e6, UnitBytes, "4.8 MiB"},
		{1024, UnitBytes, "1.0 KiB"},
		{999, UnitBytes, "999 B"},
		{1023.6, UnitBytes, "1.0 KiB"}, // rounded to whole bytes first
		{math.Inf(1), UnitBytes, "∞"},
		{math.Inf(1), UnitCount, "∞"},
		{632, UnitBytes, "632 B"},
		{999_500, UnitBytes, "976.1 KiB"},
		{656_974_530, UnitBytes, "626.5 MiB"},
		{2.369e9, UnitBytes, "2.2 GiB"},
		{551_000, UnitBytesPerSec, "538.1 KiB/s"},
		{4.272, UnitMbitPerSec, "4.27 Mbit/s"},
		{7.142857, UnitSeconds, "7.14 s"},
		{0.0125, UnitSeconds, "12.5 ms"},
		{3725, UnitSeconds, "62.1 min"},
		{300, UnitSeconds, "5 min"},
		{7200, UnitSeconds, "2 h"},
		{0, UnitSeconds, "0 s"},
		{math.Inf(1), UnitSeconds, "∞"},
		{10_000, UnitMilliseconds, "10,000 ms"},
		{1234567, UnitCount, "1,234,567"},
		{0.4, UnitFraction, "0.4"},
		{500, UnitMessagesPerSec, "500 msg/s"},
		{333.3333, UnitMessagesPerSec, "333.3 msg/s"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.v, tt.u); got != tt.want {
			t.Errorf("FormatValue(%v, %s) = %q, want %q", tt.v, tt.u, got, tt.want)
		}
	}
}
