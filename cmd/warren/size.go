package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"github.com/warrenmq/warren/calibrate"
	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
	"github.com/warrenmq/warren/sizing"
)

// Files warren size --out writes.
const (
	sizingFile          = "sizing.md"
	sizingRAMChart      = "sizing-ram.png"
	sizingConsumerChart = "sizing-consumers.png"
)

// clients are the client libraries the production settings are spelled
// for, in the order sizing.md shows them.
var clients = []struct{ key, title, lang string }{
	{"go", "Go (github.com/rabbitmq/amqp091-go)", "go"},
	{"python", "Python (Pika)", "python"},
	{"java", "Java (com.rabbitmq:amqp-client)", "java"},
	{"node", "Node.js (amqplib)", "js"},
}

// sizeFlags are the inputs of warren size.
type sizeFlags struct {
	rate, size, props, backlog string
	queues, fanOut, replicas   int
	queueType                  string
	persistent, confirms       bool
	processing, rtt            string
	utilisation, headroom      float64
	connections, channels      int
	brokerRAM, version         string
	exchange, routingKey       string
	prefetchCap                int
	calibration, out, client   string
	scenario                   string
	assumptions                bool
}

func (f *sizeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.rate, "rate", "", "peak publish rate, msg/s, all publishers together (required)")
	fs.StringVar(&f.size, "size", "", "message body size, e.g. 1KB (1,000 bytes) or 1KiB (1,024) (required)")
	fs.StringVar(&f.backlog, "backlog", "", "backlog each queue must hold: a time of peak traffic (10s, 5m) or a message count (5000) (required)")
	fs.StringVar(&f.props, "properties-size", "0", "encoded size of the message properties (headers, content type, ...) besides delivery-mode")
	fs.IntVar(&f.queues, "queues", 1, "number of queues the traffic spreads over")
	fs.IntVar(&f.fanOut, "fan-out", 1, "queues each message is routed to")
	fs.StringVar(&f.queueType, "queue-type", "classic", "classic, quorum or stream")
	fs.IntVar(&f.replicas, "replicas", 0, "replicas of a quorum queue or stream (default 3)")
	fs.BoolVar(&f.persistent, "persistent", true, "persistent messages in durable queues (--persistent=false for transient)")
	fs.BoolVar(&f.confirms, "confirms", true, "publishers use publisher confirms (--confirms=false if not)")
	fs.StringVar(&f.processing, "processing-time", "", "a consumer's time per message (default 10ms)")
	fs.StringVar(&f.rtt, "rtt", "", "network round trip between consumers and the broker (default 1ms)")
	fs.Float64Var(&f.utilisation, "utilisation", 0, "fraction of time consumers may be busy at peak (default 0.8)")
	fs.IntVar(&f.connections, "connections", 0, "client connections expected (default one per consumer, plus one)")
	fs.IntVar(&f.channels, "channels", 0, "channels expected (default one per consumer, plus one)")
	fs.Float64Var(&f.headroom, "headroom", 0, "multiply the RAM and disk to provision by this (default 1.5)")
	fs.StringVar(&f.brokerRAM, "broker-ram", "", "the node's RAM if known, e.g. 16GiB: warns when the backlog would trip the memory alarm")
	fs.StringVar(&f.version, "rabbitmq-version", "", "RabbitMQ version for the defaults: 3.x has watermark 0.4, 4.x 0.6 (default 3.x, or the calibrated broker's)")
	fs.StringVar(&f.exchange, "exchange", "", "exchange publishers publish to (its length counts in the network bytes)")
	fs.StringVar(&f.routingKey, "routing-key", "", "a typical routing key (its length counts in the network bytes)")
	fs.IntVar(&f.prefetchCap, "prefetch-cap", 0, "highest prefetch to suggest (default 300)")
	fs.StringVar(&f.scenario, "scenario", "", "read the inputs from the sizing: block of a scenario (a built-in name or a YAML file); flags given as well win")
	fs.StringVar(&f.calibration, "calibration", "", "use the constants measured by 'warren size calibrate' (a calibration.json)")
	fs.StringVar(&f.out, "out", "", "also write sizing.md and charts into this directory (created if missing)")
	fs.StringVar(&f.client, "client", "", "also print the production settings for one client: go, python, java or node")
	fs.BoolVarP(&f.assumptions, "assumptions", "a", false, "print each line's assumptions under it")
}

// input turns the flags into a sizing input.
func (f *sizeFlags) input(fs *pflag.FlagSet) (sizing.Input, error) {
	var in sizing.Input
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for _, name := range []string{"rate", "size", "backlog"} {
		if !fs.Changed(name) {
			bad("--%s is required", name)
		}
	}
	if fs.Changed("rate") {
		v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(f.rate), "/s"), 64)
		if err != nil || !(v > 0) {
			bad("--rate %q: give the peak messages per second, a number > 0", f.rate)
		}
		in.Rate = v
	}
	if fs.Changed("size") {
		b, err := scenarios.ParseByteSize(f.size)
		if err != nil {
			bad("--size: %v", err)
		}
		in.BodyBytes = int64(b)
	}
	if b, err := scenarios.ParseByteSize(f.props); err != nil {
		bad("--properties-size: %v", err)
	} else {
		in.PropertiesBytes = int64(b)
	}
	if fs.Changed("backlog") {
		s := strings.TrimSpace(f.backlog)
		if n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64); err == nil && n >= 0 {
			in.BacklogMessages = n
		} else if d, err := scenarios.ParseDuration(s); err == nil && d >= 0 {
			in.Backlog = d.Std()
		} else {
			bad("--backlog %q: give a time of peak traffic (10s, 5m) or a message count (5000)", f.backlog)
		}
	}
	dur := func(flag, v string) time.Duration {
		if v == "" {
			return 0
		}
		d, err := scenarios.ParseDuration(v)
		if err != nil || d < 0 {
			bad("--%s %q: give a duration such as 10ms or 1.5s", flag, v)
		}
		return d.Std()
	}
	in.ProcessingTime = dur("processing-time", f.processing)
	in.RTT = dur("rtt", f.rtt)
	if f.brokerRAM != "" {
		b, err := scenarios.ParseByteSize(f.brokerRAM)
		if err != nil || b == 0 {
			bad("--broker-ram %q: give the node's RAM, e.g. 16GiB", f.brokerRAM)
		}
		in.BrokerRAM = int64(b)
	}
	in.Queues, in.FanOut, in.Replicas = f.queues, f.fanOut, f.replicas
	in.QueueType = sizing.QueueType(strings.ToLower(f.queueType))
	in.Persistent, in.Confirms = f.persistent, f.confirms
	in.Utilisation, in.Headroom = f.utilisation, f.headroom
	in.Connections, in.Channels = f.connections, f.channels
	in.Version = f.version
	in.Exchange, in.RoutingKey = f.exchange, f.routingKey
	in.PrefetchCap = f.prefetchCap
	if fs.Changed("queues") && f.queues < 1 {
		bad("--queues must be ≥ 1, got %d", f.queues)
	}
	if fs.Changed("fan-out") && f.fanOut < 1 {
		bad("--fan-out must be ≥ 1, got %d", f.fanOut)
	}
	if f.client != "" && clientIndex(f.client) < 0 {
		bad("--client %q: use go, python, java or node", f.client)
	}
	if len(errs) > 0 {
		return in, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return in, nil
}

func clientIndex(key string) int {
	for i, cl := range clients {
		if cl.key == strings.ToLower(key) {
			return i
		}
	}
	return -1
}

// sizeCmd prints a broker plan for a workload; 'warren size calibrate'
// measures the constants on a broker.
func sizeCmd(ctx context.Context, c *cli, args []string) int {
	if len(args) > 0 && args[0] == "calibrate" {
		return sizeCalibrateCmd(ctx, c, args[1:])
	}
	fs := newFlags(c, "size", "size --rate MSG_PER_S --size BYTES --backlog DURATION|COUNT [flags]\n       warren size calibrate [flags]   (measure the constants on a broker; see 'warren size calibrate --help')",
		"warren size --rate 500 --size 1KB --backlog 10s\n"+
			"warren size --rate 2000 --size 4KiB --backlog 5m --queue-type quorum --processing-time 25ms --broker-ram 16GiB --out plan/\n"+
			"warren size --rate 500 --size 1KB --backlog 10s --calibration calibration.json --client go")
	var f sizeFlags
	f.register(fs)
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return fail(c, "size", exitBadInput, "unexpected arguments %q: every input is a flag (see 'warren size --help')", fs.Args())
	}
	if f.scenario != "" {
		if err := fromScenario(fs, f.scenario); err != nil {
			return fail(c, "size", exitBadInput, "%v", err)
		}
	}
	in, err := f.input(fs)
	if err != nil {
		return fail(c, "size", exitBadInput, "%v", err)
	}
	var cal *results.Calibration
	if f.calibration != "" {
		if cal, err = results.ReadCalibration(f.calibration); err != nil {
			return fail(c, "size", exitBadInput, "--calibration: %v", err)
		}
		if in.Version == "" {
			in.Version = cal.Broker.Version
		}
		k := sizing.DefaultConstants(in.Version).Calibrate(measurements(cal), in.BodyBytes)
		in.Constants = &k
	}
	plan, err := sizing.Compute(in)
	if err != nil {
		return fail(c, "size", exitBadInput, "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	var buf bytes.Buffer
	writeSizeText(&buf, plan, cal, f.calibration, f.assumptions)
	if i := clientIndex(f.client); i >= 0 {
		fmt.Fprintf(&buf, "\nProduction settings, %s:\n\n%s", clients[i].title, clientSnippet(clients[i].key, plan.Settings))
	}
	if _, err := c.stdout.Write(buf.Bytes()); err != nil {
		return exitFailure
	}
	if f.out != "" {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return fail(c, "size", exitBadInput, "cannot create %s: %v", f.out, err)
		}
		if err := writeSizeReport(f.out, plan, cal, f.calibration); err != nil {
			return fail(c, "size", exitFailure, "%v", err)
		}
		fmt.Fprintf(c.stdout, "\nplan: %s\n", filepath.Join(f.out, sizingFile))
	}
	return exitOK
}

// measurements turns a calibration file into the model's measurements.
func measurements(cal *results.Calibration) sizing.Measurements {
	m := sizing.Measurements{
		Broker:            calibratedOn(cal),
		ConnectionBytes:   cal.ConnectionBytes,
		ChannelBytes:      cal.ChannelBytes,
		IdleBaselineBytes: float64(cal.NodeMemoryBefore),
		FDBaseline:        float64(cal.FDUsedBefore),
		FrameMax:          cal.FrameMax,
	}
	for _, q := range cal.Queues {
		m.Queues = append(m.Queues, sizing.QueueMeasurement{
			Type:            sizing.QueueType(q.Type),
			BodyBytes:       q.BodyBytes,
			Messages:        q.Messages,
			EmptyBytes:      float64(q.EmptyMemory),
			PerMessageBytes: q.PerMessage,
		})
	}
	return m
}

func calibratedOn(cal *results.Calibration) string {
	s := strings.TrimSpace(cal.Broker.Product + " " + cal.Broker.Version)
	if cal.Broker.Node != "" {
		s += " on " + cal.Broker.Node
	}
	return s
}

// describe says in one line what the plan is for.
func describe(in sizing.Input) string {
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
func constantsNote(p sizing.Plan, cal *results.Calibration, path string) string {
	if cal == nil {
		return "RabbitMQ defaults and warren's measurements on 3.10.8 (not your broker: run 'warren size calibrate')"
	}
	n := 0
	for _, k := range p.Constants.List() {
		if k.Calibrated {
			n++
		}
	}
	return fmt.Sprintf("calibrated on %s (%s): %d of %d measured, the rest defaults", calibratedOn(cal), path, n, len(p.Constants.List()))
}

// writeSizeText prints the plan as a table, one section at a time, each
// line with its formula.
func writeSizeText(w io.Writer, p sizing.Plan, cal *results.Calibration, path string, assumptions bool) {
	fmt.Fprintf(w, "Plan for %s.\n", describe(p.Input))
	fmt.Fprintf(w, "Constants: %s.\n", constantsNote(p, cal, path))
	nameW, valueW := 0, 0
	for _, l := range p.Lines {
		nameW = max(nameW, utf8.RuneCountInString(l.Name))
		valueW = max(valueW, utf8.RuneCountInString(l.Display()))
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", n-utf8.RuneCountInString(s)) }
	for _, sec := range p.Sections() {
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(sec))
		for _, l := range p.Lines {
			if l.Section != sec {
				continue
			}
			fmt.Fprintf(w, "  %s  %s  %s\n", pad(l.Name, nameW), pad(l.Display(), valueW), l.Formula)
			if assumptions {
				for _, a := range l.Assumptions {
					fmt.Fprintf(w, "    · %s\n", a)
				}
			}
		}
	}
	if len(p.Warnings) > 0 {
		fmt.Fprintln(w, "\nWARNINGS")
		for _, s := range p.Warnings {
			fmt.Fprintf(w, "  ! %s\n", s)
		}
	}
	if len(p.Assumed) > 0 {
		fmt.Fprintln(w, "\nASSUMED (defaults; set them with flags)")
		fmt.Fprintf(w, "  %s\n", strings.Join(p.Assumed, "; "))
	}
	if !assumptions {
		fmt.Fprintln(w, "\n-a prints each line's assumptions; --out DIR writes sizing.md with them, charts and the settings for Go, Python, Java and Node.js.")
	}
}

// writeSizeReport writes sizing.md and its charts into dir.
func writeSizeReport(dir string, p sizing.Plan, cal *results.Calibration, path string) error {
	ram, err := ramChart(p)
	if err != nil {
		return fmt.Errorf("%s: %w", sizingRAMChart, err)
	}
	cons, err := consumersChart(p)
	if err != nil {
		return fmt.Errorf("%s: %w", sizingConsumerChart, err)
	}
	for name, data := range map[string][]byte{
		sizingFile:          sizingMarkdown(p, cal, path),
		sizingRAMChart:      ram,
		sizingConsumerChart: cons,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// sizingMarkdown renders the plan: inputs, outputs with formulas and
// assumptions, warnings, constants, production settings, charts. It reads
// no clock, so the same plan gives the same bytes.
func sizingMarkdown(p sizing.Plan, cal *results.Calibration, path string) []byte {
	var b bytes.Buffer
	in := p.Input
	fmt.Fprintf(&b, "# Sizing plan\n\n%s.\n\n", describe(in))
	fmt.Fprintf(&b, "Constants: %s.\n\n", constantsNote(p, cal, path))

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
	fmt.Fprintf(&b, "![RAM the broker needs against the backlog it holds](%s)\n\n", sizingRAMChart)
	fmt.Fprintf(&b, "![Consumers needed against processing time](%s)\n", sizingConsumerChart)

	b.WriteString("\n## Constants\n\n| Constant | Value | Calibrated | Source |\n|---|---:|---|---|\n")
	for _, k := range p.Constants.List() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", textfmt.MarkdownCell(k.Name), textfmt.MarkdownCell(sizing.FormatValue(k.Value, k.Unit)), yesNo(k.Calibrated), textfmt.MarkdownCell(k.Source))
	}

	b.WriteString("\n## Production settings\n\n")
	b.WriteString(settingsSummary(p.Settings))
	for _, cl := range clients {
		fmt.Fprintf(&b, "\n### %s\n\n```%s\n%s```\n", cl.title, cl.lang, clientSnippet(cl.key, p.Settings))
	}
	return b.Bytes()
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
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

// argLiteral spells an argument's value in a language.
func argLiteral(lang string, v any) string {
	switch x := v.(type) {
	case int64:
		switch lang {
		case "go":
			return fmt.Sprintf("int64(%d)", x)
		case "java":
			if x > 1<<31-1 {
				return fmt.Sprintf("%dL", x)
			}
		}
		return strconv.FormatInt(x, 10)
	case string:
		if lang == "python" || lang == "node" {
			return "'" + x + "'"
		}
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}

// clientSnippet spells the settings for one client library, ready to
// paste.
func clientSnippet(key string, s sizing.Settings) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	hb := int(s.Heartbeat / time.Second)
	switch key {
	case "go":
		w("// Connection with a %d s heartbeat.\n", hb)
		w("conn, err := amqp.DialConfig(uri, amqp.Config{Heartbeat: %d * time.Second})\n", hb)
		w("ch, err := conn.Channel()\n\n")
		w("args := amqp.Table{\n")
		keyW := 0
		for _, a := range s.Arguments {
			keyW = max(keyW, len(a.Key)+3) // quotes and colon
		}
		for _, a := range s.Arguments {
			w("\t%-*s %s,\n", keyW, strconv.Quote(a.Key)+":", argLiteral("go", a.Value))
		}
		w("}\n")
		w("_, err = ch.QueueDeclare(%q, %t, false, false, false, args)\n\n", s.QueueName, s.Durable)
		mode := "amqp.Transient"
		if s.Persistent {
			mode = "amqp.Persistent"
		}
		if s.Confirms {
			w("// Publisher: confirms, then wait for each one (or keep a window of them).\n")
			w("err = ch.Confirm(false)\n")
			w("dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, \"\", %q, false, false, amqp.Publishing{\n", s.QueueName)
			w("\tDeliveryMode: %s,\n\tBody:         body,\n})\n", mode)
			w("ok, err := dc.WaitContext(ctx) // ok == false: the broker refused it (a full queue with reject-publish): retry later\n\n")
		} else {
			w("// Publisher (no confirms: a refused or lost message goes unnoticed).\n")
			w("err = ch.PublishWithContext(ctx, \"\", %q, false, false, amqp.Publishing{DeliveryMode: %s, Body: body})\n\n", s.QueueName, mode)
		}
		w("// Consumer (on its own connection): manual acks, prefetch %d.\n", s.Prefetch)
		w("err = ch.Qos(%d, 0, false)\n", s.Prefetch)
		w("msgs, err := ch.Consume(%q, \"\", false, false, false, false, nil)\n", s.QueueName)
		w("for d := range msgs {\n\t// process d.Body, then:\n\terr = d.Ack(false)\n}\n")
	case "python":
		w("import pika\n\n")
		w("params = pika.URLParameters(uri)\nparams.heartbeat = %d\n", hb)
		w("connection = pika.BlockingConnection(params)\nchannel = connection.channel()\n\n")
		w("channel.queue_declare(queue='%s', durable=%s, arguments={\n", s.QueueName, pyBool(s.Durable))
		for _, a := range s.Arguments {
			w("    '%s': %s,\n", a.Key, argLiteral("python", a.Value))
		}
		w("})\n\n")
		props := "pika.BasicProperties()"
		if s.Persistent {
			props = "pika.BasicProperties(delivery_mode=2)"
		}
		if s.Confirms {
			w("# Publisher: confirms; basic_publish raises NackError when the broker refuses a message.\n")
			w("channel.confirm_delivery()\ntry:\n")
			w("    channel.basic_publish(exchange='', routing_key='%s', body=body,\n", s.QueueName)
			w("                          properties=%s)\n", props)
			w("except pika.exceptions.NackError:\n    pass  # refused (a full queue with reject-publish): retry later\n\n")
		} else {
			w("# Publisher (no confirms: a refused or lost message goes unnoticed).\n")
			w("channel.basic_publish(exchange='', routing_key='%s', body=body,\n", s.QueueName)
			w("                      properties=%s)\n\n", props)
		}
		w("# Consumer (on its own connection): manual acks, prefetch %d.\n", s.Prefetch)
		w("channel.basic_qos(prefetch_count=%d)\n\n", s.Prefetch)
		w("def on_message(ch, method, properties, body):\n    # process body, then:\n    ch.basic_ack(delivery_tag=method.delivery_tag)\n\n")
		w("channel.basic_consume(queue='%s', on_message_callback=on_message, auto_ack=False)\nchannel.start_consuming()\n", s.QueueName)
	case "java":
		w("ConnectionFactory factory = new ConnectionFactory();\nfactory.setUri(uri);\nfactory.setRequestedHeartbeat(%d);\n", hb)
		w("Connection connection = factory.newConnection();\nChannel channel = connection.createChannel();\n\n")
		w("Map<String, Object> args = new HashMap<>();\n")
		for _, a := range s.Arguments {
			w("args.put(%q, %s);\n", a.Key, argLiteral("java", a.Value))
		}
		w("channel.queueDeclare(%q, %t, false, false, args);\n\n", s.QueueName, s.Durable)
		props := "null"
		if s.Persistent {
			props = "MessageProperties.MINIMAL_PERSISTENT_BASIC"
		}
		if s.Confirms {
			w("// Publisher: confirms; waitForConfirmsOrDie throws when the broker refused a message.\n")
			w("channel.confirmSelect();\nchannel.basicPublish(\"\", %q, %s, body);\n", s.QueueName, props)
			w("channel.waitForConfirmsOrDie(5_000);\n\n")
		} else {
			w("// Publisher (no confirms: a refused or lost message goes unnoticed).\n")
			w("channel.basicPublish(\"\", %q, %s, body);\n\n", s.QueueName, props)
		}
		w("// Consumer (on its own connection): manual acks, prefetch %d.\n", s.Prefetch)
		w("channel.basicQos(%d);\n", s.Prefetch)
		w("channel.basicConsume(%q, false, (tag, delivery) -> {\n", s.QueueName)
		w("    // process delivery.getBody(), then:\n    channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);\n}, tag -> {});\n")
	case "node":
		w("import amqp from 'amqplib'; // an ES module: top-level await below\n\n")
		w("// amqplib takes the heartbeat from the URL's query.\n")
		w("const conn = await amqp.connect('amqp://user:password@host:5672/vhost?heartbeat=%d');\n", hb)
		if s.Confirms {
			w("const ch = await conn.createConfirmChannel();\n\n")
		} else {
			w("const ch = await conn.createChannel();\n\n")
		}
		w("await ch.assertQueue('%s', {\n  durable: %t,\n  arguments: {\n", s.QueueName, s.Durable)
		for _, a := range s.Arguments {
			w("    '%s': %s,\n", a.Key, argLiteral("node", a.Value))
		}
		w("  },\n});\n\n")
		if s.Confirms {
			w("// Publisher: confirms; the callback gets an error when the broker refused the message.\n")
			w("ch.sendToQueue('%s', body, { persistent: %t }, (err) => {\n  if (err) { /* refused (a full queue with reject-publish): retry later */ }\n});\n", s.QueueName, s.Persistent)
			w("await ch.waitForConfirms();\n\n")
		} else {
			w("// Publisher (no confirms: a refused or lost message goes unnoticed).\n")
			w("ch.sendToQueue('%s', body, { persistent: %t });\n\n", s.QueueName, s.Persistent)
		}
		w("// Consumer (on its own connection): manual acks, prefetch %d.\n", s.Prefetch)
		w("await ch.prefetch(%d);\n", s.Prefetch)
		w("await ch.consume('%s', (msg) => {\n  // process msg.content, then:\n  ch.ack(msg);\n}, { noAck: false });\n", s.QueueName)
	}
	return b.String()
}

func pyBool(v bool) string {
	if v {
		return "True"
	}
	return "False"
}

// sizeCalibrateCmd measures the constants of warren size on a broker and
// writes them to a file that 'warren size --calibration' reads.
func sizeCalibrateCmd(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "size calibrate", "size calibrate [--uri URI] [--management-uri URI] [--messages N] [--out calibration.json]",
		"warren size calibrate --out calibration.json\n"+
			"warren size --rate 500 --size 1KB --backlog 10s --calibration calibration.json")
	fs.String("uri", "", "broker AMQP URI (env WARREN_URI; default "+loadgen.DefaultURI+")")
	fs.String("management-uri", "", "management API URI, e.g. http://guest:guest@127.0.0.1:15672/ (env WARREN_MANAGEMENT_URI)")
	messages := fs.Int64("messages", calibrate.DefaultMessages, "messages per scratch queue (fewer for large bodies, at most 100 MiB each; a tenth in quorum queues)")
	sizes := fs.String("sizes", "16B,1KiB,4KiB,64KiB", "body sizes to measure, comma-separated")
	types := fs.String("queue-types", "classic,quorum", "queue types to measure: classic, quorum or both")
	out := fs.String("out", "calibration.json", "file to write")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		return fail(c, "size calibrate", exitBadInput, "unexpected arguments %q", fs.Args())
	}
	if *messages < 1 {
		return fail(c, "size calibrate", exitBadInput, "--messages must be ≥ 1, got %d", *messages)
	}
	var bodySizes []int64
	for _, v := range strings.Split(*sizes, ",") {
		b, err := scenarios.ParseByteSize(v)
		if err != nil {
			return fail(c, "size calibrate", exitBadInput, "--sizes: %v", err)
		}
		bodySizes = append(bodySizes, int64(b))
	}
	var queueTypes []string
	for _, v := range strings.Split(*types, ",") {
		v = strings.ToLower(strings.TrimSpace(v))
		if v != "classic" && v != "quorum" {
			return fail(c, "size calibrate", exitBadInput, "--queue-types: %q: calibration measures classic and quorum queues", v)
		}
		queueTypes = append(queueTypes, v)
	}
	broker := brokerAddresses(c, fs, rabbit.Addresses{})
	o := calibrate.Options{
		URI:           broker.URI,
		ManagementURI: broker.ManagementURI,
		Probes:        calibrate.DefaultProbes(*messages, bodySizes, queueTypes),
		Progress:      func(s string) { fmt.Fprintf(c.stderr, "warren size calibrate: %s\n", s) },
	}
	cal, err := calibrate.Run(ctx, o)
	if err != nil {
		return fail(c, "size calibrate", exitFailure, "%v", err)
	}
	if err := cal.WriteFile(*out); err != nil {
		return fail(c, "size calibrate", exitBadInput, "%v", err)
	}
	var buf bytes.Buffer
	writeCalibration(&buf, cal)
	fmt.Fprintf(&buf, "\nWrote %s: use it with 'warren size ... --calibration %s'.\n", *out, *out)
	if _, err := c.stdout.Write(buf.Bytes()); err != nil {
		return exitFailure
	}
	return exitOK
}

// writeCalibration prints what a calibration measured, and the wire bytes
// next to the framing formula.
func writeCalibration(w io.Writer, cal *results.Calibration) {
	b := cal.Broker
	fmt.Fprintf(w, "Calibrated %s %s (Erlang %s) on %s; frame_max %s.\n", b.Product, b.Version, b.Erlang, b.Node, sizing.FormatValue(float64(cal.FrameMax), sizing.UnitCount))
	if len(cal.Queues) > 0 {
		fmt.Fprintln(w, "\nQueue memory per message (the management API's queue memory, bodies excluded):")
		for _, q := range cal.Queues {
			fmt.Fprintf(w, "  %-8s %9s  %9s  %7.1f B/message  (empty %s, full %s, filled in %.1f s)\n",
				q.Type, sizing.FormatValue(float64(q.BodyBytes), sizing.UnitCount)+" B", sizing.FormatValue(float64(q.Messages), sizing.UnitCount)+" msgs", q.PerMessage,
				sizing.FormatValue(float64(q.EmptyMemory), sizing.UnitBytes), sizing.FormatValue(float64(q.FullMemory), sizing.UnitBytes), q.FillSeconds)
		}
	}
	if cal.ConnectionBytes > 0 || cal.ChannelBytes > 0 {
		fmt.Fprintf(w, "\nMemory per idle connection %s, per idle channel %s.\n",
			sizing.FormatValue(cal.ConnectionBytes, sizing.UnitBytes), sizing.FormatValue(cal.ChannelBytes, sizing.UnitBytes))
	}
	if cal.NodeMemoryBefore > 0 {
		fmt.Fprintf(w, "Node before the calibration: %s of memory (limit %s), %d file descriptors.\n",
			sizing.FormatValue(float64(cal.NodeMemoryBefore), sizing.UnitBytes), sizing.FormatValue(float64(cal.NodeMemoryLimit), sizing.UnitBytes), cal.FDUsedBefore)
	}
	if len(cal.Wire) > 0 {
		fmt.Fprintln(w, "\nBytes on the wire per message, counted on the sockets against the AMQP 0-9-1 framing formula:")
		fmt.Fprintf(w, "  %10s  %28s  %28s  %24s\n", "body", "publish: counted / formula", "deliver: counted / formula", "ack: counted / formula")
		for _, x := range cal.Wire {
			pub := sizing.PublishWireBytes(len(x.Exchange), len(x.RoutingKey), 0, x.BodyBytes, cal.FrameMax)
			del := sizing.DeliverWireBytes(len(x.ConsumerTag), len(x.Exchange), len(x.RoutingKey), 0, x.BodyBytes, cal.FrameMax)
			fmt.Fprintf(w, "  %10s  %28s  %28s  %24s\n", sizing.FormatValue(float64(x.BodyBytes), sizing.UnitCount)+" B",
				vsFormula(x.PublishBytes, pub), vsFormula(x.DeliverBytes, del), vsFormula(x.AckBytes, sizing.AckFrameBytes))
		}
	}
	for _, s := range cal.Warnings {
		fmt.Fprintf(w, "! %s\n", s)
	}
}

// vsFormula prints a counted figure, the formula's and their difference.
func vsFormula(counted float64, formula int64) string {
	diff := 0.0
	if formula > 0 {
		diff = (counted - float64(formula)) / float64(formula) * 100
	}
	return fmt.Sprintf("%.1f / %d (%+.2f%%)", counted, formula, diff)
}

// fromScenario sets, from the sizing: block of a scenario, every flag the
// user did not give: the file holds the workload's targets, the command
// line the question of the day.
func fromScenario(fs *pflag.FlagSet, ref string) error {
	s, err := scenarios.Resolve(ref)
	if err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return fmt.Errorf("%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	t := s.Sizing
	if t == nil {
		return fmt.Errorf("%s has no sizing: block: add one (see scenarios/README.md) or give --rate, --size and --backlog", ref)
	}
	values := map[string]string{}
	put := func(flag string, set bool, v string) {
		if set {
			values[flag] = v
		}
	}
	put("rate", t.Rate != "", strconv.FormatFloat(must(t.SizingRate()), 'f', -1, 64))
	put("size", t.Size > 0, strconv.FormatInt(int64(t.Size), 10)+"B")
	put("properties-size", t.PropertiesSize > 0, strconv.FormatInt(int64(t.PropertiesSize), 10)+"B")
	put("backlog", t.Backlog != "", t.Backlog)
	put("queues", t.Queues > 0, strconv.Itoa(t.Queues))
	put("fan-out", t.FanOut > 0, strconv.Itoa(t.FanOut))
	put("queue-type", t.QueueType != "", t.QueueType)
	put("replicas", t.Replicas > 0, strconv.Itoa(t.Replicas))
	put("persistent", t.Persistent != nil, strconv.FormatBool(t.Persistent != nil && *t.Persistent))
	put("confirms", t.Confirms != nil, strconv.FormatBool(t.Confirms != nil && *t.Confirms))
	put("processing-time", t.ProcessingTime > 0, t.ProcessingTime.Std().String())
	put("rtt", t.RTT > 0, t.RTT.Std().String())
	put("utilisation", t.Utilisation > 0, strconv.FormatFloat(t.Utilisation, 'f', -1, 64))
	put("connections", t.Connections > 0, strconv.Itoa(t.Connections))
	put("channels", t.Channels > 0, strconv.Itoa(t.Channels))
	put("headroom", t.Headroom > 0, strconv.FormatFloat(t.Headroom, 'f', -1, 64))
	put("broker-ram", t.BrokerRAM > 0, strconv.FormatInt(int64(t.BrokerRAM), 10)+"B")
	put("rabbitmq-version", t.RabbitMQVersion != "", t.RabbitMQVersion)
	put("prefetch-cap", t.PrefetchCap > 0, strconv.Itoa(t.PrefetchCap))
	for flag, v := range values {
		if fs.Changed(flag) {
			continue
		}
		if err := fs.Set(flag, v); err != nil {
			return fmt.Errorf("%s: sizing.%s: %v", ref, strings.ReplaceAll(flag, "-", "_"), err)
		}
	}
	return nil
}

// must drops the ok of a value already validated.
func must(v float64, _ bool) float64 { return v }
