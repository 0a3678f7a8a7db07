package loadgen

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"syscall"
	"time"

	"github.com/warrenmq/warren/results"
)

// cpuUsage reads the process's CPU time so far. It reads the whole
// process: in a program that does other work too, the figures include it.
type cpuUsage struct {
	user, system time.Duration
	maxRSS       int64
	allocs       uint64 // heap objects allocated so far
}

// allocsMetric is the runtime's running count of heap allocations, read
// without stopping the world (runtime.ReadMemStats would).
const allocsMetric = "/gc/heap/allocs:objects"

func readCPU() cpuUsage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuUsage{}
	}
	sample := []metrics.Sample{{Name: allocsMetric}}
	metrics.Read(sample)
	var allocs uint64
	if sample[0].Value.Kind() == metrics.KindUint64 {
		allocs = sample[0].Value.Uint64()
	}
	return cpuUsage{
		user:   time.Duration(ru.Utime.Nano()),
		system: time.Duration(ru.Stime.Nano()),
		maxRSS: ru.Maxrss * 1024, // Linux reports kilobytes
		allocs: allocs,
	}
}

func generatorCost(before, after cpuUsage, wall time.Duration, messages int64) results.Generator {
	g := results.Generator{
		CPUUserSeconds:   (after.user - before.user).Seconds(),
		CPUSystemSeconds: (after.system - before.system).Seconds(),
		MaxRSSBytes:      after.maxRSS,
		Goroutines:       runtime.NumGoroutine(),
		GoMaxProcs:       runtime.GOMAXPROCS(0),
		Allocations:      int64(after.allocs - before.allocs),
	}
	cpu := g.CPUUserSeconds + g.CPUSystemSeconds
	if wall > 0 {
		g.CoreShare = cpu / wall.Seconds()
	}
	if messages > 0 {
		g.CPUPerMessage = cpu * 1e6 / float64(messages)
	}
	return g
}

// readSelf samples the process's resident memory, goroutines and open file
// descriptors (from /proc; zero where there is none).
func readSelf(t int) results.SelfSample {
	s := results.SelfSample{T: t, Goroutines: runtime.NumGoroutine()}
	if data, err := os.ReadFile("/proc/self/statm"); err == nil {
		var size, resident int64
		if _, err := fmt.Sscan(string(data), &size, &resident); err == nil {
			s.RSSBytes = resident * int64(os.Getpagesize())
		}
	}
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		s.OpenFiles = len(fds)
	}
	return s
}

// sampleSelf samples the footprint when called and then every
// selfInterval(d) of a run of duration d, until stop is closed.
func sampleSelf(started time.Time, d time.Duration, stop <-chan struct{}) []results.SelfSample {
	tick := time.NewTicker(selfInterval(d))
	defer tick.Stop()
	samples := []results.SelfSample{readSelf(0)}
	for {
		select {
		case now := <-tick.C:
			samples = append(samples, readSelf(int(now.Sub(started).Round(time.Second)/time.Second)))
		case <-stop:
			return samples
		}
	}
}

// selfInterval is how often the footprint is sampled: every minute on a
// soak, more often on a short run so that it has a shape at all.
func selfInterval(d time.Duration) time.Duration {
	switch {
	case d <= 0 || d >= 10*time.Minute:
		return time.Minute
	case d >= time.Minute:
		return 10 * time.Second
	}
	return time.Second
}

// growthWarnings flags a footprint that grows steadily: every sample of the
// second half above the first half's peak, and the end more than 10% (and,
// for memory, 16 MiB) over the start of the second half.
func growthWarnings(samples []results.SelfSample) []string {
	if len(samples) < 6 {
		return nil
	}
	half := len(samples) / 2
	var out []string
	check := func(what string, v func(results.SelfSample) int64, floor int64) {
		peak := int64(0)
		for _, s := range samples[:half] {
			peak = max(peak, v(s))
		}
		for _, s := range samples[half:] {
			if v(s) <= peak {
				return
			}
		}
		from, to := v(samples[half]), v(samples[len(samples)-1])
		if to-from > floor && float64(to) > 1.1*float64(from) {
			out = append(out, fmt.Sprintf("warren's %s grew steadily during the run (%d at +%ds, %d at +%ds): a leak in the generator distorts long runs", what, from, samples[half].T, to, samples[len(samples)-1].T))
		}
	}
	check("resident memory (bytes)", func(s results.SelfSample) int64 { return s.RSSBytes }, 16<<20)
	check("goroutines", func(s results.SelfSample) int64 { return int64(s.Goroutines) }, 10)
	check("open files", func(s results.SelfSample) int64 { return int64(s.OpenFiles) }, 10)
	return out
}
