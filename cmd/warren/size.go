package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/warrenmq/warren/calibrate"
	"github.com/warrenmq/warren/capacity"
	"github.com/warrenmq/warren/plancode"
	"github.com/warrenmq/warren/reports"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
	"github.com/warrenmq/warren/sizing"
)

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
	out, client                string
	calibration                []string
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
	fs.StringArrayVar(&f.calibration, "calibration", nil, "use the constants measured by 'warren size calibrate' (a calibration.json), or the rate one queue sustained in a 'warren capacity' search of one queue (its capacity.json); repeatable")
	fs.StringVar(&f.out, "out", "", "also write sizing.md and charts into this directory (created if missing)")
	fs.StringVar(&f.client, "client", "", "also print the production settings for one client: go, python, java or node")
	fs.BoolVarP(&f.assumptions, "assumptions", "a", false, "print each line's assumptions under it")
}

// input turns the flags into a sizing input. t is the sizing: block of the
// scenario given with --scenario, or nil: its targets take the place of
// the flags' defaults, and a flag the user set wins over them.
func (f *sizeFlags) input(fs *pflag.FlagSet, t *scenarios.SizingTargets) (sizing.Input, error) {
	if t == nil {
		t = &scenarios.SizingTargets{}
	}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for _, r := range []struct {
		flag string
		file bool
	}{{"rate", t.Rate != ""}, {"size", t.Size > 0}, {"backlog", t.Backlog != ""}} {
		if !fs.Changed(r.flag) && !r.file {
			bad("--%s is required", r.flag)
		}
	}
	// fromFile says whether the block gives a value the user did not set.
	fromFile := func(flag string, given bool) bool { return given && !fs.Changed(flag) }
	in := sizing.Input{
		Queues: f.queues, FanOut: f.fanOut, Replicas: f.replicas,
		QueueType:  sizing.QueueType(strings.ToLower(f.queueType)),
		Persistent: f.persistent, Confirms: f.confirms,
		Utilisation: f.utilisation, Headroom: f.headroom,
		Connections: f.connections, Channels: f.channels,
		Version:  f.version,
		Exchange: f.exchange, RoutingKey: f.routingKey,
		PrefetchCap: f.prefetchCap,
	}

	switch {
	case fs.Changed("rate"):
		v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(f.rate), "/s"), 64)
		if err != nil || !(v > 0) {
			bad("--rate %q: give the peak messages per second, a number > 0", f.rate)
		}
		in.Rate = v
	case t.Rate != "":
		in.Rate, _ = t.SizingRate() // validated with the scenario
	}
	switch {
	case fs.Changed("size"):
		b, err := scenarios.ParseByteSize(f.size)
		if err != nil {
			bad("--size: %v", err)
		}
		in.BodyBytes = int64(b)
	case t.Size > 0:
		in.BodyBytes = int64(t.Size)
	}
	switch {
	case fs.Changed("backlog"):
		if !parseBacklog(f.backlog, &in) {
			bad("--backlog %q: give a time of peak traffic (10s, 5m) or a message count (5000)", f.backlog)
		}
	case t.Backlog != "":
		parseBacklog(t.Backlog, &in) // validated with the scenario
	}
	if fromFile("properties-size", t.PropertiesSize > 0) {
		in.PropertiesBytes = int64(t.PropertiesSize)
	} else if b, err := scenarios.ParseByteSize(f.props); err != nil {
		bad("--properties-size: %v", err)
	} else {
		in.PropertiesBytes = int64(b)
	}
	dur := func(flag, v string, file scenarios.Duration) time.Duration {
		if fromFile(flag, file > 0) {
			return file.Std()
		}
		if v == "" {
			return 0
		}
		d, err := scenarios.ParseDuration(v)
		if err != nil || d < 0 {
			bad("--%s %q: give a duration such as 10ms or 1.5s", flag, v)
		}
		return d.Std()
	}
	in.ProcessingTime = dur("processing-time", f.processing, t.ProcessingTime)
	in.RTT = dur("rtt", f.rtt, t.RTT)
	if fromFile("broker-ram", t.BrokerRAM > 0) {
		in.BrokerRAM = int64(t.BrokerRAM)
	} else if f.brokerRAM != "" {
		b, err := scenarios.ParseByteSize(f.brokerRAM)
		if err != nil || b == 0 {
			bad("--broker-ram %q: give the node's RAM, e.g. 16GiB", f.brokerRAM)
		}
		in.BrokerRAM = int64(b)
	}
	for _, v := range []struct {
		flag  string
		file  int
		input *int
	}{
		{"queues", t.Queues, &in.Queues}, {"fan-out", t.FanOut, &in.FanOut}, {"replicas", t.Replicas, &in.Replicas},
		{"connections", t.Connections, &in.Connections}, {"channels", t.Channels, &in.Channels}, {"prefetch-cap", t.PrefetchCap, &in.PrefetchCap},
	} {
		if fromFile(v.flag, v.file > 0) {
			*v.input = v.file
		}
	}
	if fromFile("queue-type", t.QueueType != "") {
		in.QueueType = sizing.QueueType(strings.ToLower(t.QueueType))
	}
	if fromFile("persistent", t.Persistent != nil) {
		in.Persistent = *t.Persistent
	}
	if fromFile("confirms", t.Confirms != nil) {
		in.Confirms = *t.Confirms
	}
	if fromFile("utilisation", t.Utilisation > 0) {
		in.Utilisation = t.Utilisation
	}
	if fromFile("headroom", t.Headroom > 0) {
		in.Headroom = t.Headroom
	}
	if fromFile("rabbitmq-version", t.RabbitMQVersion != "") {
		in.Version = t.RabbitMQVersion
	}
	if fs.Changed("queues") && f.queues < 1 {
		bad("--queues must be ≥ 1, got %d", f.queues)
	}
	if fs.Changed("fan-out") && f.fanOut < 1 {
		bad("--fan-out must be ≥ 1, got %d", f.fanOut)
	}
	if _, ok := plancode.Find(f.client); f.client != "" && !ok {
		bad("--client %q: use go, python, java or node", f.client)
	}
	if len(errs) > 0 {
		return in, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return in, nil
}

// parseBacklog reads a backlog target, a message count (5000) or a time of
// peak traffic (10s), into in.
func parseBacklog(s string, in *sizing.Input) bool {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64); err == nil && n >= 0 {
		in.BacklogMessages = n
		return true
	}
	if d, err := scenarios.ParseDuration(s); err == nil && d >= 0 {
		in.Backlog = d.Std()
		return true
	}
	return false
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
	var targets *scenarios.SizingTargets
	if f.scenario != "" {
		var err error
		if targets, err = sizingTargets(f.scenario); err != nil {
			return fail(c, "size", exitBadInput, "%v", err)
		}
	}
	in, err := f.input(fs, targets)
	if err != nil {
		return fail(c, "size", exitBadInput, "%v", err)
	}
	report := reports.SizingReport{CalibrationFile: strings.Join(f.calibration, ", ")}
	if len(f.calibration) > 0 {
		m, version, err := readCalibrations(f.calibration)
		if err != nil {
			return fail(c, "size", exitBadInput, "--calibration: %v", err)
		}
		if in.Version == "" {
			in.Version = version
		}
		k := sizing.DefaultConstants(in.Version).Calibrate(m, in.BodyBytes)
		in.Constants, report.CalibratedOn = &k, m.Broker
	}
	if report.Plan, err = sizing.Compute(in); err != nil {
		return fail(c, "size", exitBadInput, "%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	var buf bytes.Buffer
	if err := reports.WriteSizingText(&buf, report, f.assumptions); err != nil {
		return exitFailure
	}
	if !f.assumptions {
		fmt.Fprintln(&buf, "\n-a prints each line's assumptions; --out DIR writes sizing.md with them, charts and the settings for Go, Python, Java and Node.js.")
	}
	if cl, ok := plancode.Find(f.client); ok {
		fmt.Fprintf(&buf, "\nProduction settings, %s:\n\n%s", cl.Title, cl.Snippet(report.Plan.Settings))
	}
	if _, err := c.stdout.Write(buf.Bytes()); err != nil {
		return exitFailure
	}
	if f.out != "" {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return fail(c, "size", exitBadInput, "cannot create %s: %v", f.out, err)
		}
		if err := reports.RenderSizing(f.out, report); err != nil {
			return fail(c, "size", exitFailure, "%v", err)
		}
		fmt.Fprintf(c.stdout, "\nplan: %s\n", filepath.Join(f.out, reports.SizingFile))
	}
	return exitOK
}

// readCalibrations reads the files given to --calibration: at most one
// calibration.json of 'warren size calibrate', and any capacity.json of a
// 'warren capacity' search of one queue. It returns the model's
// measurements from them all and the version of the broker calibrated.
func readCalibrations(paths []string) (sizing.Measurements, string, error) {
	var m sizing.Measurements
	var rates []sizing.QueueRateMeasurement
	version, calibrated := "", false
	for _, path := range paths {
		var rep capacity.Report
		if data, err := os.ReadFile(path); err == nil && json.Unmarshal(data, &rep) == nil && rep.Schema == capacity.Schema {
			r, err := calibrate.QueueRate(&rep, path)
			if err != nil {
				return m, "", err
			}
			rates = append(rates, r)
			if m.Broker == "" {
				m.Broker = "the broker at " + rep.Broker
			}
			continue
		}
		if calibrated {
			return m, "", fmt.Errorf("%s: a second calibration.json: give one", path)
		}
		// ReadCalibration says what is wrong with any other file.
		cal, err := results.ReadCalibration(path)
		if err != nil {
			return m, "", err
		}
		m, version, calibrated = calibrate.Measurements(cal), cal.Broker.Version, true
	}
	m.QueueRates = rates
	return m, version, nil
}

// sizingTargets reads the sizing: block of a scenario (a built-in name or a
// YAML file): the file holds the workload's targets, the command line the
// question of the day.
func sizingTargets(ref string) (*scenarios.SizingTargets, error) {
	s, err := scenarios.Resolve(ref)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%s", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if s.Sizing == nil {
		return nil, fmt.Errorf("%s has no sizing: block: add one (see scenarios/README.md) or give --rate, --size and --backlog", ref)
	}
	return s.Sizing, nil
}
