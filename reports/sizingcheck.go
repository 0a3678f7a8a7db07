package reports

import (
	"fmt"
	"math"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/sizing"
)

// sizingCheckMinMessages is the smallest backlog worth checking the model
// against: below it the empty queue's own memory dominates and the
// comparison says nothing about the per-message figure.
const sizingCheckMinMessages = 1000

// statsLagSamples is how many samples after a peak the broker's queue
// memory may take to show it: the management API refreshes its statistics
// every 5 s (collect_statistics_interval).
const statsLagSamples = 5

// sizingCheck is one queue's backlog, as the model predicts its memory and
// as the broker reported it.
type sizingCheck struct {
	queue     string
	queueType sizing.QueueType
	at        int   // second of the peak
	held      int64 // ready + unacked at the peak
	predicted float64
	measured  int64
	formula   string
}

// sizingChecks compares, for every queue that held a backlog, the sizing
// model's queue memory for the peak number of messages it held with the
// memory the broker reported for the queue around then.
func sizingChecks(r *results.Result) []sizingCheck {
	if r.Scenario == nil {
		return nil
	}
	samples := sortedSamples(r.Broker.Samples)
	var body float64
	for i := range r.Scenario.Publishers {
		body = max(body, r.Scenario.Publishers[i].MeanSize())
	}
	var out []sizingCheck
	for _, q := range r.Scenario.Topology.Queues {
		peak, peakAt := int64(-1), -1
		for i, s := range samples {
			for _, qs := range s.Queues {
				if qs.Queue == q.Name && qs.Ready+qs.Unacked > peak {
					peak, peakAt = qs.Ready+qs.Unacked, i
				}
			}
		}
		if peak < sizingCheckMinMessages {
			continue
		}
		var measured int64
		for _, s := range samples[peakAt:min(peakAt+statsLagSamples+1, len(samples))] {
			for _, qs := range s.Queues {
				if qs.Queue == q.Name {
					measured = max(measured, qs.Memory)
				}
			}
		}
		if measured == 0 {
			continue // no management figures
		}
		qt := sizing.QueueType(q.Type)
		if qt == "" {
			qt = sizing.Classic
		}
		plan, err := sizing.Compute(sizing.Input{
			Rate: 1, BodyBytes: int64(math.Round(body)), BacklogMessages: peak, QueueType: qt,
			Replicas: 1, Version: r.Environment.BrokerVersion,
		})
		if err != nil {
			continue
		}
		line, ok := plan.Line("queue_memory")
		if !ok {
			continue
		}
		out = append(out, sizingCheck{
			queue: q.Name, queueType: qt, at: samples[peakAt].T, held: peak,
			predicted: line.Value, measured: measured, formula: line.Formula,
		})
	}
	return out
}

// writeSizingCheck puts the sizing model next to what the broker reported
// for the backlogs the run built, so a user sees how far to trust 'warren
// size' on this broker.
func writeSizingCheck(w *mdWriter, r *results.Result) {
	checks := sizingChecks(r)
	if len(checks) == 0 {
		return
	}
	w.line("## Sizing check")
	w.blank()
	w.linef("The sizing model (`warren size`, with its default constants for RabbitMQ %s) against the broker's own figure for each queue that held a backlog of %s messages or more: the model's queue memory for the peak number of messages held (ready and unacknowledged), and the largest memory the management API reported for the queue in the %d seconds after that peak (it refreshes its figures every 5 s). Message bodies over 64 bytes are not in either figure: Erlang keeps them in the node's binary heap.",
		textfmt.EscapeMarkdown(versionOrDefault(r.Environment.BrokerVersion)), textfmt.Count(sizingCheckMinMessages), statsLagSamples)
	w.blank()
	t := table{
		header: []string{"Queue", "Type", "Peak held", "At", "Model", "Broker", "Model vs broker"},
		align:  []byte{'l', 'l', 'r', 'r', 'r', 'r', 'r'},
	}
	for _, c := range checks {
		diff := (c.predicted - float64(c.measured)) / float64(c.measured)
		t.add("`"+textfmt.EscapeMarkdown(c.queue)+"`", string(c.queueType), textfmt.Count(c.held), fmt.Sprintf("+%ds", c.at),
			textfmt.Bytes(int64(math.Round(c.predicted))), textfmt.Bytes(c.measured), fmt.Sprintf("%+.0f%%", 100*diff))
	}
	w.table(t)
	w.blank()
	w.linef("Model: %s. Run `warren size calibrate` on this broker to replace the defaults with measured constants.", textfmt.EscapeMarkdown(checks[0].formula))
	w.blank()
}

func versionOrDefault(v string) string {
	if v == "" {
		return "3.x"
	}
	return v
}
