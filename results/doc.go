// Package results owns what a run leaves on disk: the Result of a run and
// its message Accounting, a broker's Calibration, and the run directory that
// holds them.
//
// A run directory (warren run --out DIR) holds:
//
//	run.json        what was known when publishing started (StartInfo)
//	series.jsonl    one line a second, streamed while the run goes (SeriesWriter)
//	latency.hlog    HdrHistogram's interval log, streamed (HlogWriter)
//	result.json     the whole Result, written at the end
//	accounting.json the raw Accounting behind Result.Integrity, for merging
//	report.md       the human view, with its charts (package reports writes it)
//
// The JSON files carry a schema string (ResultSchema, AccountingSchema,
// RunSchema, CalibrationSchema) that changes only when a field changes
// meaning; the readers refuse any other. Every file is written atomically
// (WriteFiles, WriteJSONFile): a reader sees the old file or the whole new
// one.
//
// Recover rebuilds the Result of a run that was killed from what it
// streamed, and Merge joins the run directories of the instances of one
// shared run into one Result, histograms and message accounting included.
// Evaluate judges a Result by its scenario's thresholds and the default
// integrity threshold: a Verdict each, pass, fail or unknown.
//
// The package reads and writes files only: it imports no AMQP client and no
// chart library, so reports and other readers of results stay light. It
// keeps no package-level mutable state.
package results
