package capacity

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/warrenmq/warren/scenarios"
)

// StepScenario is the scenario of one step at rate msg/s: a copy of base
// whose publisher groups share rate in constant rates, publishing for
// cfg.StepLength(rate) of which cfg.WarmUp is left out of the figures, with
// no message bound (a step is as long as the search needs), consumers
// draining for drain afterwards. Its exchanges and queues are renamed with
// prefix and deleted when the step ends, so that no step inherits another's
// backlog. base must have had ApplyDefaults; it is not changed.
//
// The groups keep the proportions of their own rates when every group has
// a limited rate; otherwise (an uncapped scenario) they share rate evenly.
func StepScenario(base *scenarios.Scenario, rate float64, cfg Config, prefix string, drain time.Duration) *scenarios.Scenario {
	cfg = cfg.withDefaults()
	s := base.Clone()
	s.Sweep = nil
	length := cfg.StepLength(rate)
	s.Run.Duration = scenarios.Duration(length)
	s.Run.WarmUp = scenarios.Duration(cfg.WarmUp)
	s.Run.Drain = scenarios.Duration(drain)
	s.Run.MaxMessages = 0
	shares := rateShares(base)
	for i := range s.Publishers {
		s.Publishers[i].Rate = scenarios.Rate{PerSecond: rate * shares[i]}
		s.Publishers[i].MaxMessages = 0
	}
	if declares(s) {
		s.PrefixNames(prefix)
		s.Topology.Cleanup = true
	}
	return s
}

// declares tells whether the scenario declares its own topology, which a
// step can then rename and delete; a passive or undeclared topology is the
// broker's, and every step shares its queues.
func declares(s *scenarios.Scenario) bool {
	return s.Topology.Declare != scenarios.DeclarePassive && s.Topology.Declare != scenarios.DeclareNone
}

// FreshQueues tells whether each step of the scenario gets queues of its
// own (see StepScenario).
func FreshQueues(s *scenarios.Scenario) bool { return declares(s) }

// rateShares is each publisher group's share of the total rate.
func rateShares(s *scenarios.Scenario) []float64 {
	shares := make([]float64, len(s.Publishers))
	var total float64
	limited := true
	for i, p := range s.Publishers {
		k := p.Rate.Kind()
		if k == scenarios.RateUnlimited || k == scenarios.RateNone {
			limited = false
			break
		}
		shares[i] = p.Rate.Mean(s.Run.Duration.Std())
		if !(shares[i] > 0) || math.IsInf(shares[i], 0) {
			limited = false
			break
		}
		total += shares[i]
	}
	for i := range shares {
		if limited {
			shares[i] /= total
		} else {
			shares[i] = 1 / float64(len(shares))
		}
	}
	return shares
}

// ConsumedQueues lists the queues the scenario's consumers take from: the
// queues whose depth says whether consumers keep up. (A queue nobody
// consumes, a dead-letter queue say, grows by design.)
func ConsumedQueues(s *scenarios.Scenario) []string {
	var out []string
	for _, c := range s.Consumers {
		if !slices.Contains(out, c.Queue) {
			out = append(out, c.Queue)
		}
	}
	slices.Sort(out)
	return out
}

// DefaultHeadroom divides the sustainable rate into the rate a plan is made
// for: peak traffic at 80% of what the broker sustained in the test.
const DefaultHeadroom = 1.25

// DefaultBacklog is the backlog the printed 'warren size' command asks for
// when the scenario's sizing block names none.
const DefaultBacklog = "10s"

// NewPlan is the plan for the sustainable rate divided by headroom: that
// rate, rounded down to three significant figures (a plan is for at most
// what was measured), and the 'warren size' command for it.
func NewPlan(s *scenarios.Scenario, ref string, sustainable, headroom float64) *Plan {
	rate := floorRate(sustainable / headroom)
	return &Plan{Headroom: headroom, Rate: rate, Command: SizeCommand(s, ref, rate)}
}

// floorRate rounds a rate down to three significant figures.
func floorRate(r float64) float64 {
	if r <= 0 {
		return 0
	}
	scale := math.Pow(10, 2-math.Floor(math.Log10(r)))
	return math.Floor(r*scale+1e-9) / scale
}

// SizeCommand is the 'warren size' command that plans a broker for rate
// msg/s of the scenario's traffic; ref is how the user named the scenario
// (a built-in name or a file). A scenario with a sizing block keeps it and
// only has the rate replaced; otherwise the flags describe its traffic:
// message size, the queues publishers reach and the fan-out, queue type,
// persistence, confirms and the consumers' processing time.
func SizeCommand(s *scenarios.Scenario, ref string, rate float64) string {
	r := strconv.FormatFloat(rate, 'f', -1, 64)
	if s.Sizing != nil {
		return "warren size --scenario " + shellQuote(ref) + " --rate " + r
	}
	args := []string{"warren", "size", "--rate", r, "--size", meanSize(s).String(), "--backlog", DefaultBacklog}
	queues, fanOut := routedQueues(s)
	if len(queues) > 1 {
		args = append(args, "--queues", strconv.Itoa(len(queues)))
	}
	if fanOut > 1 {
		args = append(args, "--fan-out", strconv.Itoa(fanOut))
	}
	if t := queueType(s, queues); t != "" && t != scenarios.QueueClassic {
		args = append(args, "--queue-type", t)
	}
	persistent, confirms := false, false
	for _, p := range s.Publishers {
		persistent = persistent || p.Persistent
		confirms = confirms || p.Confirm
	}
	if !persistent {
		args = append(args, "--persistent=false")
	}
	if !confirms {
		args = append(args, "--confirms=false")
	}
	if pt := processingTime(s); pt > 0 {
		args = append(args, "--processing-time", pt.String())
	}
	return strings.Join(args, " ")
}

// meanSize is the mean body size of what the publishers send, weighted by
// their share of the rate.
func meanSize(s *scenarios.Scenario) scenarios.ByteSize {
	shares := rateShares(s)
	var mean float64
	for i, p := range s.Publishers {
		size := float64(p.Size)
		if p.SizeDistribution != nil {
			size = p.SizeDistribution.Mean()
		}
		mean += shares[i] * size
	}
	b := scenarios.ByteSize(math.Round(mean))
	// A whole KiB reads better than a byte count off by rounding.
	if k := scenarios.ByteSize(math.Round(mean/1024)) * 1024; k > 0 && math.Abs(float64(k)-mean) < 0.01*mean {
		b = k
	}
	return b
}

// routedQueues lists the queues the publishers' routing keys reach, and how
// many queues a message reaches on average (rounded, at least 1).
func routedQueues(s *scenarios.Scenario) ([]string, int) {
	r := s.Router()
	var all []string
	var copies, messages float64
	shares := rateShares(s)
	for i, p := range s.Publishers {
		keys := p.RoutingKeys
		if len(keys) == 0 {
			keys = []string{p.RoutingKey}
		}
		var n float64
		for _, k := range keys {
			qs := r.Queues(p.Exchange, k, p.Headers)
			n += float64(len(qs))
			for _, q := range qs {
				if !slices.Contains(all, q) {
					all = append(all, q)
				}
			}
		}
		copies += shares[i] * n / float64(len(keys))
		messages += shares[i]
	}
	slices.Sort(all)
	fanOut := 1
	if messages > 0 {
		fanOut = max(1, int(math.Round(copies/messages)))
	}
	return all, fanOut
}

// queueType is the type most of the queues have.
func queueType(s *scenarios.Scenario, names []string) string {
	count := map[string]int{}
	best := ""
	for _, q := range s.Topology.Queues {
		if !slices.Contains(names, q.Name) {
			continue
		}
		t := q.Type
		if t == "" {
			t = scenarios.QueueClassic
		}
		count[t]++
		if count[t] > count[best] || (count[t] == count[best] && t < best) {
			best = t
		}
	}
	return best
}

// processingTime is the longest mean processing time of a consumer group.
func processingTime(s *scenarios.Scenario) time.Duration {
	var longest time.Duration
	for _, c := range s.Consumers {
		pt := c.ProcessingTime.Std()
		if c.ProcessingTimeMax > 0 {
			pt = (pt + c.ProcessingTimeMax.Std()) / 2
		}
		longest = max(longest, pt)
	}
	return longest
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// QueueRateOf says what one queue sustained, when the search of scenario s
// measured one queue: every message went to that one queue, the consumers
// took messages as fast as they came (no processing time and no consume
// rate, which would set the limit instead), a rate passed, and warren was
// not the limit. Otherwise it returns nil and why not.
func QueueRateOf(s *scenarios.Scenario, rep *Report) (*QueueRate, string) {
	queues, fanOut := routedQueues(s)
	consumed := ConsumedQueues(s)
	switch {
	case len(queues) != 1 || fanOut != 1 || len(consumed) != 1 || consumed[0] != queues[0]:
		return nil, "the scenario does not send every message to one queue that its consumers take from"
	case processingTime(s) > 0:
		return nil, "the consumers' processing time sets the limit, not the queue"
	case rep.SustainableRate <= 0:
		return nil, "no rate passed"
	case rep.LimitedBy == LimitGenerator:
		return nil, "warren, not the broker, was the limit"
	}
	for _, c := range s.Consumers {
		if !c.Rate.IsZero() {
			return nil, "a consume rate sets the limit, not the queue"
		}
	}
	q := &QueueRate{Queue: queues[0], Type: queueType(s, queues), BodyBytes: int64(meanSize(s)),
		Rate: rep.SustainableRate, AtLeast: rep.FirstFailRate == 0}
	if q.Type == "" {
		// Not declared by the scenario: the broker's default type.
		q.Type = scenarios.QueueClassic
	}
	for _, p := range s.Publishers {
		q.Persistent = q.Persistent || p.Persistent
		q.Confirms = q.Confirms || p.Confirm
	}
	return q, ""
}
