package health

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/warrenmq/warren/internal/textfmt"
)

// JSON schemas of Report.
const (
	SchemaHealth = "warren.health/v1"
	SchemaLint   = "warren.lint/v1"
)

// Report is what `warren health --json` and `warren lint --json` print.
type Report struct {
	Schema string `json:"schema"`
	// Source is the management URI (password masked) or the file read.
	Source  string `json:"source"`
	Vhost   string `json:"vhost,omitempty"`
	Version string `json:"rabbitmq_version,omitempty"`
	// Taken is when a health snapshot was read (none for lint).
	Taken    *time.Time `json:"taken,omitempty"`
	Status   Status     `json:"status"`
	ExitCode int        `json:"exit_code"`
	// Error says why the status is unknown.
	Error string `json:"error,omitempty"`
	// Counts are the objects looked at: nodes, queues, exchanges,
	// connections, channels, policies.
	Counts   map[string]int `json:"counts,omitempty"`
	Findings []Finding      `json:"findings"`
}

// NewReport fills Status and ExitCode from the findings.
func NewReport(schema, source string, findings []Finding) *Report {
	if findings == nil {
		findings = []Finding{}
	}
	st := Verdict(findings)
	return &Report{Schema: schema, Source: source, Status: st, ExitCode: st.ExitCode(), Findings: findings}
}

// UnknownReport is the report when the broker could not be asked.
func UnknownReport(schema, source string, err error) *Report {
	return &Report{Schema: schema, Source: source, Status: StatusUnknown, ExitCode: StatusUnknown.ExitCode(),
		Error: err.Error(), Findings: []Finding{}}
}

// WriteJSON writes the report as one line of JSON, so that --watch gives
// one object per line.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// summary says the verdict in one line: "CRITICAL: 2 critical, 1 warning".
func (r *Report) summary() string {
	if r.Status == StatusUnknown {
		return "UNKNOWN: " + r.Error
	}
	crit, warn, info := Count(r.Findings)
	var parts []string
	if crit > 0 {
		parts = append(parts, fmt.Sprintf("%d critical", crit))
	}
	if warn > 0 {
		parts = append(parts, textfmt.Plural(warn, "warning"))
	}
	if info > 0 {
		parts = append(parts, fmt.Sprintf("%d info", info))
	}
	if len(parts) == 0 {
		return "OK: no findings"
	}
	return strings.ToUpper(r.Status.String()) + ": " + strings.Join(parts, ", ")
}

// header is the first line: what was read.
func (r *Report) header(cmd string) string {
	s := fmt.Sprintf("warren %s: %s", cmd, r.Source)
	if r.Vhost != "" {
		s += fmt.Sprintf(" (vhost %s)", r.Vhost)
	}
	if r.Version != "" {
		s += ", RabbitMQ " + r.Version
	}
	var counts []string
	for _, k := range []string{"nodes", "queues", "exchanges", "policies", "connections", "channels"} {
		if n, ok := r.Counts[k]; ok {
			word := k
			switch {
			case n == 1 && k == "policies":
				word = "policy"
			case n == 1:
				word = strings.TrimSuffix(k, "s")
			}
			counts = append(counts, fmt.Sprintf("%d %s", n, word))
		}
	}
	if len(counts) > 0 {
		s += " (" + strings.Join(counts, ", ") + ")"
	}
	if r.Taken != nil {
		s += " at " + r.Taken.Format("2006-01-02 15:04:05 MST")
	}
	return s
}

// WriteHealthText writes the health report as a table of findings, most
// severe first, each with its figure, threshold and a one-line fix.
func (r *Report) WriteHealthText(w io.Writer) error {
	var b strings.Builder
	b.WriteString(r.header("health") + "\n")
	b.WriteString(r.summary() + "\n")
	if len(r.Findings) > 0 {
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "SEVERITY\tRULE\tOBJECT\tFIGURE\tTHRESHOLD\tFIX")
		for _, f := range r.Findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", f.Severity, f.Rule, f.Object, dash(f.Figure), dash(f.Threshold), f.Fix)
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteLintText writes the lint report: one block per finding with the
// rule, the object, why it matters and the fix.
func (r *Report) WriteLintText(w io.Writer) error {
	var b strings.Builder
	b.WriteString(r.header("lint") + "\n")
	b.WriteString(r.summary() + "\n")
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "\n%-8s  %s  %s\n", f.Severity, f.Rule, f.Object)
		if f.Figure != "" {
			fmt.Fprintf(&b, "  found: %s\n", f.Figure)
		}
		fmt.Fprintf(&b, "  why:   %s\n", f.Why)
		fmt.Fprintf(&b, "  fix:   %s\n", f.Fix)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
