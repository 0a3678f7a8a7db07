package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/plancode"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/sizing"
)

// Files RenderSizing writes.
const (
	SizingFile               = "sizing.md"
	SizingRAMChartFile       = "sizing-ram.png"
	SizingConsumersChartFile = "sizing-consumers.png"
)

// SizingReport is a sizing plan and where its constants came from.
type SizingReport struct {
	Plan sizing.Plan
	// CalibratedOn names the broker the constants were measured on
	// ("RabbitMQ 4.1.0 on rabbit@a", sizing.Measurements.Broker), and
	// CalibrationFile the file they were read from; both are empty when
	// the plan uses the default constants.
	CalibratedOn    string
	CalibrationFile string
}

// WriteSizingText writes the plan as text, one section at a time, each
// line with its value and formula and, with assumptions, the assumptions
// under it; then its warnings and the defaults it took.
func WriteSizingText(w io.Writer, r SizingReport, assumptions bool) error {
	var b strings.Builder
	p := r.Plan
	fmt.Fprintf(&b, "Plan for %s.\n", describeSizing(p.Input))
	fmt.Fprintf(&b, "Constants: %s.\n", r.constantsNote())
	nameW, valueW := 0, 0
	for _, l := range p.Lines {
		nameW = max(nameW, utf8.RuneCountInString(l.Name))
		valueW = max(valueW, utf8.RuneCountInString(l.Display()))
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-utf8.RuneCountInString(s)) }
	for _, sec := range p.Sections() {
		fmt.Fprintf(&b, "\n%s\n", strings.ToUpper(sec))
		for _, l := range p.Lines {
			if l.Section != sec {
				continue
			}
			fmt.Fprintf(&b, "  %s  %s  %s\n", pad(l.Name, nameW), pad(l.Display(), valueW), l.Formula)
			if assumptions {
				for _, a := range l.Assumptions {
					fmt.Fprintf(&b, "    · %s\n", a)
				}
			}
		}
	}
	if len(p.Warnings) > 0 {
		b.WriteString("\nWARNINGS\n")
		for _, s := range p.Warnings {
			fmt.Fprintf(&b, "  ! %s\n", s)
		}
	}
	if len(p.Assumed) > 0 {
		b.WriteString("\nASSUMED (defaults; set them with flags)\n")
		fmt.Fprintf(&b, "  %s\n", strings.Join(p.Assumed, "; "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RenderSizing writes sizing.md and its two charts into dir, which must
// exist: the charts first, each file atomically, so that sizing.md links
// only whole charts.
func RenderSizing(dir string, r SizingReport) error {
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("reports: sizing into %s: %w", dir, err)
	} else if !fi.IsDir() {
		return fmt.Errorf("reports: sizing into %s: not a directory", dir)
	}
	var files []results.File
	for _, c := range []struct {
		name string
		draw func(sizing.Plan) (*chart, error)
	}{
		{SizingRAMChartFile, sizingRAMChart},
		{SizingConsumersChartFile, sizingConsumersChart},
	} {
		ch, err := c.draw(r.Plan)
		if err == nil && ch == nil {
			err = errors.New("nothing to draw")
		}
		if err != nil {
			return fmt.Errorf("reports: sizing: %s: %w", c.name, err)
		}
		data, err := ch.png()
		if err != nil {
			return fmt.Errorf("reports: sizing: %s: %w", c.name, err)
		}
		files = append(files, results.File{Name: c.name, Data: data})
	}
	return writeFiles(dir, append(files, results.File{Name: SizingFile, Data: sizingMarkdown(r)}), nil)
}

// describeSizing says in one line what the plan is for.
func describeSizing(in sizing.Input) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s msg/s of %s bodies at peak", sizing.FormatValue(in.Rate, sizing.UnitCount), sizing.FormatValue(float64(in.BodyBytes), sizing.UnitBytes))
	if in.BacklogMessages > 0 {
		fmt.Fprintf(&b, "; backlog target %s per queue", sizing.FormatValue(float64(in.BacklogMessages), sizing.UnitMessages))
	} else {
		fmt.Fprintf(&b, "; backlog target %s of peak traffic", sizing.FormatValue(in.Backlog.Seconds(), sizing.UnitSeconds))
	}
	fmt.Fprintf(&b, "; %s", textfmt.Plural(in.Queues, string(in.QueueType)+" queue"))
	if in.QueueType != sizing.Classic {
		fmt.Fprintf(&b, " (%d replicas)", in.Replicas)
	}
	if in.FanOut > 1 {
		fmt.Fprintf(&b, ", fan-out %d", in.FanOut)
	}
	if in.Persistent {
		b.WriteString("; persistent")
	} else {
		b.WriteString("; transient")
	}
	if in.Confirms {
		b.WriteString(", confirms")
	} else {
		b.WriteString(", no confirms")
	}
	return b.String()
}

// constantsNote says where the constants came from.
func (r SizingReport) constantsNote() string {
	if r.CalibratedOn == "" && r.CalibrationFile == "" {
		return "RabbitMQ defaults and warren's measurements on 3.10.8 (not your broker: run 'warren size calibrate')"
	}
	all := r.Plan.Constants.List()
	n := 0
	for _, k := range all {
		if k.Calibrated {
			n++
		}
	}
	return fmt.Sprintf("calibrated on %s (%s): %d of %d measured, the rest defaults", r.CalibratedOn, r.CalibrationFile, n, len(all))
}

// sizingMarkdown renders the plan: inputs, outputs with formulas and
// assumptions, warnings, constants, production settings, charts. It reads
// no clock, so the same plan gives the same bytes.
func sizingMarkdown(r SizingReport) []byte {
	var b bytes.Buffer
	p := r.Plan
	in := p.Input
	fmt.Fprintf(&b, "# Sizing plan\n\n%s.\n\n", describeSizing(in))
	fmt.Fprintf(&b, "Constants: %s.\n\n", r.constantsNote())

	b.WriteString("## Inputs\n\n| Input | Value |\n|---|---|\n")
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, textfmt.MarkdownCell(v)) }
	row("Peak publish rate", sizing.FormatValue(in.Rate, sizing.UnitMessagesPerSec))
	row("Message body", fmt.Sprintf("%s B", sizing.FormatValue(float64(in.BodyBytes), sizing.UnitCount)))
	row("Properties (besides delivery-mode)", fmt.Sprintf("%s B", sizing.FormatValue(float64(in.PropertiesBytes), sizing.UnitCount)))
	if in.BacklogMessages > 0 {
		row("Backlog target", sizing.FormatValue(float64(in.BacklogMessages), sizing.UnitMessages)+" per queue")
	} else {
		row("Backlog target", sizing.FormatValue(in.Backlog.Seconds(), sizing.UnitSeconds)+" of peak traffic")
	}
	row("Queues", fmt.Sprintf("%d %s, fan-out %d", in.Queues, in.QueueType, in.FanOut))
	if in.QueueType != sizing.Classic {
		row("Replicas", strconv.Itoa(in.Replicas))
	}
	row("Persistent messages", yesNo(in.Persistent))
	row("Publisher confirms", yesNo(in.Confirms))
	row("Consumer processing time", sizing.FormatValue(in.ProcessingTime.Seconds(), sizing.UnitSeconds))
	row("Round trip consumer–broker", sizing.FormatValue(in.RTT.Seconds(), sizing.UnitSeconds))
	row("Consumer utilisation target", sizing.FormatValue(in.Utilisation, sizing.UnitFraction))
	row("Headroom", "×"+sizing.FormatValue(in.Headroom, sizing.UnitFraction))
	if in.BrokerRAM > 0 {
		row("Broker RAM", sizing.FormatValue(float64(in.BrokerRAM), sizing.UnitBytes))
	}
	if in.Version != "" {
		row("RabbitMQ version", in.Version)
	}
	if len(p.Assumed) > 0 {
		b.WriteString("\nDefaults taken (set them with flags): " + strings.Join(p.Assumed, "; ") + ".\n")
	}

	if len(p.Warnings) > 0 {
		b.WriteString("\n## Warnings\n\n")
		for _, w := range p.Warnings {
			fmt.Fprintf(&b, "- %s\n", w)
		}
	}

	b.WriteString("\n## Plan\n")
	for _, sec := range p.Sections() {
		fmt.Fprintf(&b, "\n### %s\n\n| Output | Value | Formula | Assumptions |\n|---|---:|---|---|\n", sec)
		for _, l := range p.Lines {
			if l.Section != sec {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", textfmt.MarkdownCell(l.Name), textfmt.MarkdownCell(l.Display()), textfmt.MarkdownCell(l.Formula), textfmt.MarkdownCell(strings.Join(l.Assumptions, "; ")))
		}
	}
	b.WriteString("\n## Charts\n\n")
	fmt.Fprintf(&b, "![RAM the broker needs against the backlog it holds](%s)\n\n", SizingRAMChartFile)
	fmt.Fprintf(&b, "![Consumers needed against processing time](%s)\n", SizingConsumersChartFile)

	b.WriteString("\n## Constants\n\n| Constant | Value | Calibrated | Source |\n|---|---:|---|---|\n")
	for _, k := range p.Constants.List() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", textfmt.MarkdownCell(k.Name), textfmt.MarkdownCell(sizing.FormatValue(k.Value, k.Unit)), yesNo(k.Calibrated), textfmt.MarkdownCell(k.Source))
	}

	b.WriteString("\n## Production settings\n\n")
	b.WriteString(settingsSummary(p.Settings))
	for _, cl := range plancode.Clients() {
		fmt.Fprintf(&b, "\n### %s\n\n```%s\n%s```\n", cl.Title, cl.Lang, cl.Snippet(p.Settings))
	}
	return b.Bytes()
}

// settingsSummary lists the settings in words before the code.
func settingsSummary(s sizing.Settings) string {
	var b strings.Builder
	fmt.Fprintf(&b, "- Queue `%s`: %s, durable: %s", s.QueueName, s.QueueType, yesNo(s.Durable))
	for _, a := range s.Arguments {
		fmt.Fprintf(&b, ", `%s` = `%v`", a.Key, a.Value)
	}
	b.WriteString(".\n")
	if s.DeadLetterExchange != "" {
		fmt.Fprintf(&b, "- Dead-letter exchange `%s`: declare it, and bind a queue to it, so that dropped and expired messages are kept.\n", s.DeadLetterExchange)
	}
	fmt.Fprintf(&b, "- Publishers: persistent messages (delivery-mode 2): %s; publisher confirms: %s.\n", yesNo(s.Persistent), yesNo(s.Confirms))
	fmt.Fprintf(&b, "- Consumers: manual acknowledgements, prefetch %d.\n", s.Prefetch)
	fmt.Fprintf(&b, "- Connections: heartbeat %s (the RabbitMQ heartbeat guide finds 5–20 s best for most environments).\n", textfmt.Duration(s.Heartbeat))
	b.WriteString("- `my-queue` and `my-queue.dlx` stand for your names. Declare the queue with the same arguments everywhere (or set them with a policy).\n")
	return b.String()
}
