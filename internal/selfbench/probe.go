package selfbench

import (
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/warrenmq/warren/loadgen"
)

// CPUProbe times a fixed loop of warren's own per-message work,
// writing a stamp and reading it back, and returns the best of five tries
// in ns per turn: the best, because other work on the machine can only
// make a try slower.
func CPUProbe() float64 {
	const turns = 1 << 20
	buf := make([]byte, loadgen.StampSize)
	best := math.Inf(1)
	var sink uint64 // each turn's input depends on the last's output
	for range 5 {
		start := time.Now()
		for i := range uint64(turns) {
			st := loadgen.Stamp{Publisher: i, Seq: i ^ sink, Intended: int64(i), Sent: int64(i) + 1}
			st.Put(buf)
			if got, ok := loadgen.ReadStamp(buf); ok {
				sink += got.Seq
			}
		}
		best = min(best, float64(time.Since(start).Nanoseconds())/turns)
	}
	return best
}

// LoadAverage reads the 1, 5 and 15 minute load averages; nil where
// /proc/loadavg does not exist.
func LoadAverage() []float64 {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nil
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return nil
	}
	var l []float64
	for _, f := range fields[:3] {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil
		}
		l = append(l, v)
	}
	return l
}

// resetPeakRSS sets the process's peak resident set size back to its
// current size (Linux 4.0 and later), so that the peak a run reports is its
// own, not an earlier case's. Elsewhere it does nothing and the peak is the
// process's.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
