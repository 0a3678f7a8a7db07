package results

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
	// GoMaxProcs is how many threads ran warren's Go code at once.
	GoMaxProcs int `json:"gomaxprocs,omitempty"`
	// Allocations counts the heap objects the process allocated over the
	// same span as the CPU time; warren's own per-message code allocates
	// none (see its benchmarks), so per message this is the client
	// library's.
	Allocations int64 `json:"allocations,omitempty"`
	// Samples is warren's footprint over the run (every minute on a soak).
	Samples []SelfSample `json:"samples,omitempty"`
}

// SelfSample is warren's own footprint at one moment of the run, for soak
// tests: a generator that leaks would distort what it measures.
type SelfSample struct {
	T          int   `json:"t"`
	RSSBytes   int64 `json:"rss_bytes"`
	Goroutines int   `json:"goroutines"`
	OpenFiles  int   `json:"open_files"`
}
