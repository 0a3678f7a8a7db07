// Package reports turns what a run measured into something a person reads:
// a Markdown report with PNG charts next to it.
//
// Reports are made from files only (a results.Result, as read from
// result.json), never from the broker, so a run can be re-reported anywhere
// and at any time. The Markdown is deterministic — no clock, sorted keys,
// fixed number formats — so the same result always yields the same bytes and
// golden-file tests work. The package keeps no package-level mutable state.
//
// Render writes a run directory's human view:
//
//	report.md               the report, linking the charts below
//	latency.png             latency by percentile (HdrHistogram's spectrum)
//	throughput.png          messages per second over the run
//	latency-over-time.png   end-to-end p50/p99/max per second
//	queue-depth.png         ready and unacked messages per queue, alarms shaded
//	consumer-lag.png        seconds a new message waits, per queue (when one lagged)
//	broker-memory.png       the node's memory against its high watermark
//
// The two broker charts are written only when the run sampled the broker
// (memory only through the management API).
//
// Every file is written atomically, and report.md last: a reader sees either
// the previous report or the whole new one.
//
// Compare sets candidate runs against a baseline (each side one run, or
// the repeats of one, compared by median) and applies a Gate; RenderCompare
// writes compare.md and compare-latency.png. RenderSweep writes a sweep's
// sweep.md, one row per variant with a Recommendation, and its charts
// (sweep-throughput.png, sweep-p99.png, sweep-latency.png).
package reports
