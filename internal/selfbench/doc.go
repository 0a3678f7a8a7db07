// Package selfbench is warren's benchmark of itself (warren bench): four
// small cases against a local broker whose figures (throughput, CPU per
// message, allocations, latency, peak RSS) compare with what RabbitMQ's own
// Go load tool reached on the same kind of machine, and the targets the
// project set against it.
//
// It owns the cases, the warren.bench/v1 file a run writes (and a later
// run reads as its baseline), the probes of the machine (a CPU probe, the
// load average, the peak RSS) and the tables printed from a file. The
// command only reads flags and the environment and calls Run.
package selfbench
