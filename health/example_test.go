package health_test

import (
	"fmt"
	"os"
	"strings"

	"github.com/warrenmq/warren/health"
)

// Check is a pure function of a snapshot: here a queue piling up with no
// consumer, on a node close to its memory watermark.
func ExampleCheck() {
	snap := &health.Snapshot{
		Nodes: []health.Node{{Name: "rabbit@a", Running: true, MemUsed: 850 << 20, MemLimit: 1000 << 20}},
		Queues: []health.Queue{{
			QueueDef: health.QueueDef{Vhost: "/", Name: "orders", Durable: true},
			Ready:    48_210, ReadyGrowth: 1_200, RatesKnown: true,
		}},
	}
	findings := health.Check(snap, health.Defaults())
	for _, f := range findings {
		fmt.Printf("%s %s %s: %s (%s)\n", f.Severity, f.Rule, f.Object, f.Figure, f.Threshold)
	}
	fmt.Println("exit status", health.Verdict(findings).ExitCode())
	// Output:
	// critical no-consumers queue orders (vhost /): 48,210 ready, 0 consumers, growing 1,200 msg/s (warning ≥ 1, critical ≥ 10,000)
	// warning node-memory node rabbit@a: 85% of the watermark (850.0 MiB of 1000.0 MiB) (warning ≥ 80%, critical ≥ 95%)
	// warning queue-depth queue orders (vhost /): 48,210 ready (warning ≥ 10,000, critical ≥ 100,000)
	// exit status 2
}

// Lint reads definitions as exported by the broker.
func ExampleLint() {
	defs, err := health.ReadDefinitions(strings.NewReader(`{
	  "rabbit_version": "3.13.7",
	  "queues": [{"name": "jobs", "vhost": "/", "durable": true, "auto_delete": false,
	              "arguments": {"x-queue-type": "quorum", "x-delivery-limit": 5, "x-max-length": 1000,
	                            "x-dead-letter-exchange": "jobs.dlx"}}],
	  "exchanges": [], "bindings": [], "policies": []}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	findings := health.Lint(&health.LintInput{Definitions: *defs}, nil)
	rep := health.NewReport(health.SchemaLint, "definitions.json", findings)
	_ = rep.WriteLintText(os.Stdout)
	// Output:
	// warren lint: definitions.json
	// CRITICAL: 1 critical, 1 warning
	//
	// critical  dlx-undeclared  queue jobs (vhost /)
	//   found: dead-letter exchange "jobs.dlx" (argument x-dead-letter-exchange)
	//   why:   the dead-letter exchange does not exist, so the broker drops every dead letter of this queue
	//   fix:   declare it: exchange.declare jobs.dlx type=fanout durable=true, and bind a durable queue jobs.dlq to it
	//
	// warning   overflow-default  queue jobs (vhost /)
	//   why:   at the limit the broker drops the oldest messages (drop-head) unless told otherwise; publishers are not told
	//   fix:   choose on purpose: x-overflow=reject-publish (publishers with confirms get a nack and can slow down), or drop-head with a dead-letter exchange to keep what is pushed out; or rabbitmqctl set_policy -p / --apply-to queues jobs-policy '^jobs$' '{"overflow":"reject-publish"}'
}
