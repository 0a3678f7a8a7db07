package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/warrenmq/warren/calibrate"
	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
	"github.com/warrenmq/warren/sizing"
)

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
