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
		{5e6, UnitBytes, "5 MB"},
		{1024, UnitBytes, "1.02 kB"},
		{999, UnitBytes, "999 B"},
		{632, UnitBytes, "632 B"},
		{999_500, UnitBytes, "1 MB"},
		{656_974_530, UnitBytes, "657 MB"},
		{2.369e9, UnitBytes, "2.37 GB"},
		{551_000, UnitBytesPerSec, "551 kB/s"},
		{4.272, UnitMbitPerSec, "4.27 Mbit/s"},
		{7.142857, UnitSeconds, "7.14 s"},
		{0.0125, UnitSeconds, "12.5 ms"},
		{3725, UnitSeconds, "1h2m5s"},
		{300, UnitSeconds, "5 min"},
		{7200, UnitSeconds, "2 h"},
		{0, UnitSeconds, "0 s"},
		{math.Inf(1), UnitSeconds, "never"},
		{10_000, UnitMilliseconds, "10,000 ms"},
		{1234567, UnitCount, "1,234,567"},
		{0.4, UnitFraction, "0.4"},
		{500, UnitMessagesPerSec, "500 msg/s"},
		{333.3333, UnitMessagesPerSec, "333 msg/s"},
	}
	for _, tt := range tests {
		if got := FormatValue(tt.v, tt.u); got != tt.want {
			t.Errorf("FormatValue(%v, %s) = %q, want %q", tt.v, tt.u, got, tt.want)
		}
	}
}
