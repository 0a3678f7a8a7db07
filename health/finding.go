package health

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
)

// Severity is how much a finding matters.
type Severity int

// Severities, from least to most serious. Info findings are advice: they
// never change the exit status.
const (
	Info Severity = iota
	Warning
	Critical
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Critical:
		return "critical"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText writes the severity as its name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "info":
		*s = Info
	case "warning":
		*s = Warning
	case "critical":
		*s = Critical
	default:
		return fmt.Errorf("unknown severity %q: use info, warning or critical", b)
	}
	return nil
}

// Status is the verdict over a set of findings, as a Nagios-style check
// gives it.
type Status int

// Statuses. Their values are the exit statuses (ExitCode).
const (
	StatusOK       Status = 0
	StatusWarning  Status = 1
	StatusCritical Status = 2
	StatusUnknown  Status = 3
)

func (s Status) String() string {
	switch s {
	case StatusOK:
		return "ok"
	case StatusWarning:
		return "warning"
	case StatusCritical:
		return "critical"
	}
	return "unknown"
}

// MarshalText writes the status as its name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status name.
func (s *Status) UnmarshalText(b []byte) error {
	for _, st := range []Status{StatusOK, StatusWarning, StatusCritical, StatusUnknown} {
		if st.String() == string(b) {
			*s = st
			return nil
		}
	}
	return fmt.Errorf("unknown status %q: use ok, warning, critical or unknown", b)
}

// ExitCode is the process exit status for the verdict: 0 ok, 1 warning,
// 2 critical, 3 unknown.
func (s Status) ExitCode() int { return int(s) }

// Verdict is the worst severity among the findings: StatusOK when there are none
// or only info findings.
func Verdict(findings []Finding) Status {
	st := StatusOK
	for _, f := range findings {
		switch {
		case f.Severity == Critical:
			return StatusCritical
		case f.Severity == Warning:
			st = StatusWarning
		}
	}
	return st
}

// Object names what a finding is about.
type Object struct {
	// Kind is node, queue, exchange, connection, channel, policy, user,
	// broker or config.
	Kind  string `json:"kind"`
	Vhost string `json:"vhost,omitempty"`
	Name  string `json:"name"`
}

func (o Object) String() string {
	name := o.Name
	if name == "" && o.Kind == "exchange" {
		name = "(default)"
	}
	if o.Vhost == "" {
		return o.Kind + " " + name
	}
	return fmt.Sprintf("%s %s (vhost %s)", o.Kind, name, o.Vhost)
}

// Finding is one thing worth telling about the broker.
type Finding struct {
	// Rule is the rule's id, such as queue-depth or dlx-missing (see
	// HealthRules and LintRules).
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Object   Object   `json:"object"`
	// Value is the figure as a number, for machines; Figure says it for
	// people ("48,210 ready"). Health findings have both; lint findings
	// usually neither.
	Value  *float64 `json:"value,omitempty"`
	Figure string   `json:"figure,omitempty"`
	// Threshold is the level crossed ("warning ≥ 10,000, critical ≥ 100,000").
	Threshold string `json:"threshold,omitempty"`
	// Why says why it matters; Fix says what to do, as the arguments,
	// policy or setting to change.
	Why string `json:"why"`
	Fix string `json:"fix"`
}

// Sort orders findings by severity (critical first), then rule, then object.
func Sort(findings []Finding) {
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Object.Kind != b.Object.Kind {
			return a.Object.Kind < b.Object.Kind
		}
		if a.Object.Vhost != b.Object.Vhost {
			return a.Object.Vhost < b.Object.Vhost
		}
		return a.Object.Name < b.Object.Name
	})
}

// Count returns the number of findings of each severity.
func Count(findings []Finding) (critical, warning, info int) {
	for _, f := range findings {
		switch f.Severity {
		case Critical:
			critical++
		case Warning:
			warning++
		default:
			info++
		}
	}
	return critical, warning, info
}

// value returns a pointer for Finding.Value; JSON cannot hold infinities,
// so those are left out (Figure says "∞").
func value(v float64) *float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	return &v
}

// formatPercent writes a fraction as a percentage: 0.834 → 83%.
func formatPercent(v float64) string {
	if math.IsInf(v, 1) {
		return "∞"
	}
	p := v * 100
	if p != math.Trunc(p) && math.Abs(p) < 10 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}

// jsonString quotes s as JSON does, for fixes that spell out a policy.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
