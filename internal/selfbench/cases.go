package selfbench

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/warrenmq/warren/scenarios"
)

// smallBody is the body size of cases (a), (b) and (d), the reference's.
const smallBody = 12

// A Case is one case of the self-benchmark: a small scenario
// against the local broker whose figures compare with the reference tool's.
type Case struct {
	Name        string
	Description string
	Publishers  int
	Consumers   int
	Size        scenarios.ByteSize
	Durable     bool    // durable queue and persistent messages
	Rate        float64 // total msg/s; 0 is unlimited
	Reference   Reference
	Target      Target
}

// Settings every case shares.
const (
	ConfirmWindow = 1000
	Prefetch      = 1000
)

// Reference is what the reference tool (RabbitMQ's own Go load tool)
// reached on this machine: medians of 5 runs, 2 cores
// shared with the broker, RabbitMQ 3.10.8.
type Reference struct {
	Rate          float64 `json:"rate"`
	CPUPerMessage float64 `json:"cpu_us_per_msg"`
	// AllocsPerMessage is heap objects allocated per message published, by
	// the whole process (its consuming included). warren's own per-message
	// code allocates none (make bench's first part), so this is the client
	// library's.
	AllocsPerMessage float64 `json:"allocs_per_msg"`
	// SendDelay is how late the publishers were against their schedule.
	SendDelay Latency `json:"send_delay"`
	// End-to-end latency percentiles in µs, where the issue gives them.
	EndToEndP50  int64 `json:"e2e_p50_us,omitempty"`
	EndToEndP99  int64 `json:"e2e_p99_us,omitempty"`
	EndToEndP999 int64 `json:"e2e_p99_9_us,omitempty"`
}

// Target is what the project asks of warren in a case: at most half the
// reference's CPU per message, and (at unlimited rate) more throughput.
type Target struct {
	MaxCPUPerMessage float64 `json:"max_cpu_us_per_msg"`
	// MinRate is the publish rate to beat (exclusive); 0 when the case
	// runs at a fixed rate and has no throughput target.
	MinRate float64 `json:"min_rate,omitempty"`
}

// Cases are the four cases of the self-benchmark, in the order of the
// issue that set their targets.
func Cases() []Case {
	return []Case{
		{
			Name: "a", Description: "1 publisher, 1 consumer, 12 B, unlimited, non-durable queue",
			Publishers: 1, Consumers: 1, Size: smallBody,
			Reference: Reference{Rate: 16800, CPUPerMessage: 41.5},
			Target:    Target{MaxCPUPerMessage: 20, MinRate: 16800},
		},
		{
			Name: "b", Description: "as (a), durable queue, persistent messages",
			Publishers: 1, Consumers: 1, Size: smallBody, Durable: true,
			Reference: Reference{Rate: 12800, CPUPerMessage: 45.5},
			Target:    Target{MaxCPUPerMessage: 22.75, MinRate: 12800},
		},
		{
			Name: "c", Description: "2 publishers, 2 consumers, 1 KiB, one shared non-durable queue",
			Publishers: 2, Consumers: 2, Size: 1024,
			Reference: Reference{Rate: 9100, CPUPerMessage: 72.9},
			Target:    Target{MaxCPUPerMessage: 36.45, MinRate: 9100},
		},
		{
			Name: "d", Description: "as (a) at a fixed 1,000 msg/s",
			Publishers: 1, Consumers: 1, Size: smallBody, Rate: 1000,
			Reference: Reference{Rate: 977, CPUPerMessage: 335, EndToEndP50: 330, EndToEndP99: 2300, EndToEndP999: 5700},
			Target:    Target{MaxCPUPerMessage: 165},
		},
	}
}

// SelectCases reads a list of case names (a to d, in any order, comma
// separated); they run in the order of Cases.
func SelectCases(list string) ([]Case, error) {
	want := map[string]bool{}
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		want[name] = true
	}
	if len(want) == 0 {
		return nil, fmt.Errorf("name at least one case (a, b, c, d)")
	}
	var cases []Case
	for _, bc := range Cases() {
		if want[bc.Name] {
			cases = append(cases, bc)
			delete(want, bc.Name)
		}
	}
	if len(want) > 0 {
		unknown := make([]string, 0, len(want))
		for name := range want {
			unknown = append(unknown, strconv.Quote(name))
		}
		sort.Strings(unknown)
		return nil, fmt.Errorf("unknown case %s: the cases are a, b, c and d", strings.Join(unknown, ", "))
	}
	return cases, nil
}

// Scenario builds the case's scenario on a queue of its own.
func (bc Case) Scenario(queue string, d time.Duration) *scenarios.Scenario {
	rate := scenarios.Rate{Unlimited: true}
	if bc.Rate > 0 {
		rate = scenarios.Rate{PerSecond: bc.Rate}
	}
	s := &scenarios.Scenario{
		Name:        "bench-" + bc.Name,
		Description: bc.Description,
		Topology: scenarios.Topology{
			Queues:  []scenarios.Queue{{Name: queue, Durable: bc.Durable}},
			Cleanup: true,
		},
		Publishers: []scenarios.PublisherGroup{{
			Name: "pub", Count: bc.Publishers, Exchange: "", RoutingKey: queue,
			Size: bc.Size, Persistent: bc.Durable,
			Confirm: true, ConfirmWindow: ConfirmWindow, Rate: rate,
		}},
		Consumers: []scenarios.ConsumerGroup{{
			Name: "cons", Count: bc.Consumers, Queue: queue,
			Prefetch: Prefetch, AckMode: scenarios.AckManual,
		}},
		Run: scenarios.RunSettings{Duration: scenarios.Duration(d), WarmUp: scenarios.Duration(warmUp(d))},
	}
	s.ApplyDefaults()
	return s
}

// warmUp leaves the first tenth of a case (at most 2 s) out of the
// latency figures: connections and the broker's queue process settle. Rates
// and CPU count the whole case.
func warmUp(d time.Duration) time.Duration {
	return min(d/10, 2*time.Second)
}
