package loadgen

import (
	"runtime"
	"syscall"
	"time"
)

// Generator is what the run cost warren itself, so a reader can tell when
// the generator, not the broker, was the limit.
type Generator struct {
	CPUUserSeconds   float64 `json:"cpu_user_s"`
	CPUSystemSeconds float64 `json:"cpu_system_s"`
	// CoreShare is CPU time over wall time: 1.0 is one whole core.
	CoreShare float64 `json:"core_share"`
	// CPUPerMessage is user+system µs per message published and consumed.
	CPUPerMessage float64 `json:"cpu_us_per_message"`
	MaxRSSBytes   int64   `json:"max_rss_bytes"`
	Goroutines    int     `json:"goroutines"`
}

// cpuUsage reads the process's CPU time so far. It reads the whole
// process: in a program that does other work too, the figures include it.
type cpuUsage struct {
	user, system time.Duration
	maxRSS       int64
}

func readCPU() cpuUsage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuUsage{}
	}
	return cpuUsage{
		user:   time.Duration(ru.Utime.Nano()),
		system: time.Duration(ru.Stime.Nano()),
		maxRSS: ru.Maxrss * 1024, // Linux reports kilobytes
	}
}

func generatorCost(before, after cpuUsage, wall time.Duration, messages int64) Generator {
	g := Generator{
		CPUUserSeconds:   (after.user - before.user).Seconds(),
		CPUSystemSeconds: (after.system - before.system).Seconds(),
		MaxRSSBytes:      after.maxRSS,
		Goroutines:       runtime.NumGoroutine(),
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
