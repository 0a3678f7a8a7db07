package results

import (
	"time"

	"github.com/warrenmq/warren/scenarios"
)

// The files of a run directory.
const (
	ResultFile     = "result.json"     // the whole result, written at the end
	AccountingFile = "accounting.json" // the raw message accounting, written at the end
	RunFile        = "run.json"        // what is known at the start
	SeriesFile     = "series.jsonl"    // one line a second, streamed
	HlogFile       = "latency.hlog"    // HdrHistogram interval log, streamed
	ReportFile     = "report.md"       // the human view, with its charts beside it
)

// RunSchema names the format of run.json.
const RunSchema = "warren.run/v1"

// StartInfo is what is known when publishing starts. Written as run.json,
// it lets a run killed halfway still be reported.
type StartInfo struct {
	Schema      string              `json:"schema"`
	ID          string              `json:"id"`
	Scenario    *scenarios.Scenario `json:"scenario"`
	Environment Environment         `json:"environment"`
	StartedAt   time.Time           `json:"started_at"`
}
