package health

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/goccy/go-yaml"
)

// Level is a measure's warning and critical levels. For most measures a
// higher figure is worse and a level is crossed at or above it; for the
// few where lower is worse (consumer utilisation, free disk) it is crossed
// below it. Disabled turns the check off.
type Level struct {
	Warning  float64 `yaml:"warning" json:"warning"`
	Critical float64 `yaml:"critical" json:"critical"`
	Disabled bool    `yaml:"disabled,omitempty" json:"disabled,omitempty"`
}

// Thresholds are the levels the health rules apply. Defaults gives them;
// LoadThresholds overrides some from a YAML file.
type Thresholds struct {
	// QueueDepth is messages ready in a queue.
	QueueDepth Level `yaml:"queue_depth"`
	// ConsumerLagSeconds is how long the backlog takes to drain at the
	// current deliver rate: messages ready ÷ deliver rate.
	ConsumerLagSeconds Level `yaml:"consumer_lag_seconds"`
	// NoConsumers is messages ready in a queue that has no consumer
	// (dead-letter queues are left to DeadLetters).
	NoConsumers Level `yaml:"no_consumers"`
	// UnackedGrowth is how fast messages delivered but not acknowledged
	// pile up, in msg/s averaged over Window.
	UnackedGrowth Level `yaml:"unacked_growth"`
	// PublishOverDeliver is the publish rate divided by the deliver rate,
	// both averaged over Window; queues publishing less than
	// MinPublishRate are left out.
	PublishOverDeliver Level `yaml:"publish_over_deliver"`
	// ConsumerUtilisation is the share of time a queue could deliver to its
	// consumers at once (lower is worse); checked only when messages wait.
	ConsumerUtilisation Level `yaml:"consumer_utilisation"`
	// DeadLetters is messages (ready and unacknowledged) in a dead-letter
	// queue.
	DeadLetters Level `yaml:"dead_letters"`
	// MemoryWatermark is a node's memory use as a share of its high
	// watermark, above which the memory alarm blocks every publisher.
	MemoryWatermark Level `yaml:"memory_watermark"`
	// DiskFreeHeadroom is free disk divided by the disk free limit, below
	// which the disk alarm blocks every publisher (lower is worse).
	DiskFreeHeadroom Level `yaml:"disk_free_headroom"`
	// FileDescriptors, Sockets and ErlangProcesses are a node's use as a
	// share of its limit.
	FileDescriptors Level `yaml:"file_descriptors"`
	Sockets         Level `yaml:"sockets"`
	ErlangProcesses Level `yaml:"erlang_processes"`
	// BlockedConnections and FlowConnections count connections that the
	// broker blocks (a resource alarm) or throttles (credit flow).
	BlockedConnections Level `yaml:"blocked_connections"`
	FlowConnections    Level `yaml:"flow_connections"`
	// UnlimitedPrefetch is messages unacknowledged on a channel that
	// consumes with no prefetch limit (basic.qos 0).
	UnlimitedPrefetch Level `yaml:"unlimited_prefetch"`

	// Window is the period over which rates and growth are averaged: what
	// "sustained" means. The management API keeps samples every 5 s.
	Window time.Duration `yaml:"window"`
	// MinPublishRate leaves quiet queues out of publish_over_deliver.
	MinPublishRate float64 `yaml:"min_publish_rate"`
}

// Defaults returns the thresholds warren uses without a file.
func Defaults() Thresholds {
	return Thresholds{
		QueueDepth:          Level{Warning: 10_000, Critical: 100_000},
		ConsumerLagSeconds:  Level{Warning: 60, Critical: 600},
		NoConsumers:         Level{Warning: 1, Critical: 10_000},
		UnackedGrowth:       Level{Warning: 1, Critical: 10},
		PublishOverDeliver:  Level{Warning: 1.2, Critical: 2},
		ConsumerUtilisation: Level{Warning: 0.5, Critical: 0.1},
		DeadLetters:         Level{Warning: 1, Critical: 1_000},
		MemoryWatermark:     Level{Warning: 0.8, Critical: 0.95},
		DiskFreeHeadroom:    Level{Warning: 2, Critical: 1.2},
		FileDescriptors:     Level{Warning: 0.8, Critical: 0.95},
		Sockets:             Level{Warning: 0.8, Critical: 0.95},
		ErlangProcesses:     Level{Warning: 0.8, Critical: 0.95},
		BlockedConnections:  Level{Warning: 1, Critical: 1},
		FlowConnections:     Level{Warning: 1, Critical: 50},
		UnlimitedPrefetch:   Level{Warning: 1_000, Critical: 50_000},
		Window:              time.Minute,
		MinPublishRate:      1,
	}
}

// measure describes one Level for validation and for the help text.
type measure struct {
	key         string
	level       *Level
	lowerWorse  bool
	unit        string // "", "s", "msg/s", "fraction", "ratio"
	description string
}

func (t *Thresholds) measures() []measure {
	return []measure{
		{"queue_depth", &t.QueueDepth, false, "", "messages ready in a queue"},
		{"consumer_lag_seconds", &t.ConsumerLagSeconds, false, "s", "messages ready ÷ deliver rate"},
		{"no_consumers", &t.NoConsumers, false, "", "messages ready in a queue with no consumer"},
		{"unacked_growth", &t.UnackedGrowth, false, "msg/s", "growth of unacknowledged messages, averaged over window"},
		{"publish_over_deliver", &t.PublishOverDeliver, false, "ratio", "publish rate ÷ deliver rate over window"},
		{"consumer_utilisation", &t.ConsumerUtilisation, true, "fraction", "share of time consumers can take a message, checked while messages wait"},
		{"dead_letters", &t.DeadLetters, false, "", "messages in a dead-letter queue"},
		{"memory_watermark", &t.MemoryWatermark, false, "fraction", "node memory ÷ high watermark"},
		{"disk_free_headroom", &t.DiskFreeHeadroom, true, "ratio", "free disk ÷ disk free limit"},
		{"file_descriptors", &t.FileDescriptors, false, "fraction", "file descriptors used ÷ available"},
		{"sockets", &t.Sockets, false, "fraction", "sockets used ÷ available"},
		{"erlang_processes", &t.ErlangProcesses, false, "fraction", "Erlang processes used ÷ limit"},
		{"blocked_connections", &t.BlockedConnections, false, "", "connections blocked by a resource alarm"},
		{"flow_connections", &t.FlowConnections, false, "", "connections throttled by credit flow"},
		{"unlimited_prefetch", &t.UnlimitedPrefetch, false, "", "unacked messages on a channel consuming without a prefetch limit"},
	}
}

// Validate reports every inconsistent level at once: negative levels, and
// a critical level less severe than the warning level.
func (t Thresholds) Validate() error {
	var errs []error
	for _, m := range t.measures() {
		l := *m.level
		if l.Disabled {
			continue
		}
		switch {
		case l.Warning < 0 || l.Critical < 0 || math.IsNaN(l.Warning) || math.IsNaN(l.Critical):
			errs = append(errs, fmt.Errorf("%s: levels must be ≥ 0, got warning %v, critical %v", m.key, l.Warning, l.Critical))
		case !m.lowerWorse && l.Critical < l.Warning:
			errs = append(errs, fmt.Errorf("%s: critical (%v) must be ≥ warning (%v): a higher figure is worse", m.key, l.Critical, l.Warning))
		case m.lowerWorse && l.Critical > l.Warning:
			errs = append(errs, fmt.Errorf("%s: critical (%v) must be ≤ warning (%v): a lower figure is worse", m.key, l.Critical, l.Warning))
		}
	}
	if t.Window < 10*time.Second {
		errs = append(errs, fmt.Errorf("window: must be at least 10s (the management API samples every 5 s), got %s", t.Window))
	}
	if t.MinPublishRate < 0 {
		errs = append(errs, fmt.Errorf("min_publish_rate: must be ≥ 0, got %v", t.MinPublishRate))
	}
	return errors.Join(errs...)
}

// LoadThresholds reads a YAML file of thresholds over the defaults: a
// measure the file does not name keeps its default, and so does a level it
// leaves out (queue_depth: {warning: 500} keeps the default critical level).
// Unknown keys are errors, so a misspelt measure is not silently ignored.
func LoadThresholds(r io.Reader) (Thresholds, error) {
	t := Defaults()
	data, err := io.ReadAll(r)
	if err != nil {
		return t, err
	}
	// A file of comments only is a null document, which would zero the
	// fields it decodes into.
	var probe map[string]any
	if err := yaml.Unmarshal(data, &probe); err == nil && len(probe) == 0 {
		return t, nil
	}
	if err := yaml.UnmarshalWithOptions(data, &t, yaml.DisallowUnknownField()); err != nil {
		return Defaults(), errors.New(yaml.FormatError(err, false, true))
	}
	if err := t.Validate(); err != nil {
		return Defaults(), err
	}
	return t, nil
}

// WriteThresholds writes thresholds as a YAML file that LoadThresholds
// reads back, each measure with a comment saying what it measures.
func WriteThresholds(w io.Writer, t Thresholds) error {
	var b bytes.Buffer
	b.WriteString("# warren health thresholds. A measure or level left out keeps its default.\n")
	for _, m := range t.measures() {
		dir := "≥"
		if m.lowerWorse {
			dir = "<"
		}
		unit := ""
		if m.unit != "" {
			unit = " (" + m.unit + ")"
		}
		fmt.Fprintf(&b, "# %s%s; crossed when the figure is %s the level\n", m.description, unit, dir)
		fmt.Fprintf(&b, "%s: {warning: %s, critical: %s", m.key, yamlNumber(m.level.Warning), yamlNumber(m.level.Critical))
		if m.level.Disabled {
			b.WriteString(", disabled: true")
		}
		b.WriteString("}\n")
	}
	fmt.Fprintf(&b, "# period over which rates and growth are averaged (what \"sustained\" means)\nwindow: %s\n", t.Window)
	fmt.Fprintf(&b, "# queues publishing less than this (msg/s) are left out of publish_over_deliver\nmin_publish_rate: %s\n", yamlNumber(t.MinPublishRate))
	_, err := w.Write(b.Bytes())
	return err
}

func yamlNumber(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%g", v)
}

// crossed returns the severity for figure v against the level, and whether
// it crossed either level.
func (l Level) crossed(v float64, lowerWorse bool) (Severity, bool) {
	if l.Disabled || math.IsNaN(v) {
		return Info, false
	}
	if lowerWorse {
		switch {
		case v < l.Critical:
			return Critical, true
		case v < l.Warning:
			return Warning, true
		}
		return Info, false
	}
	switch {
	case v >= l.Critical:
		return Critical, true
	case v >= l.Warning:
		return Warning, true
	}
	return Info, false
}

// describe writes the levels for a finding's Threshold column.
func (l Level) describe(lowerWorse bool, format func(float64) string) string {
	op := "≥"
	if lowerWorse {
		op = "<"
	}
	if l.Warning == l.Critical {
		return fmt.Sprintf("critical %s %s", op, format(l.Critical))
	}
	return fmt.Sprintf("warning %s %s, critical %s %s", op, format(l.Warning), op, format(l.Critical))
}
