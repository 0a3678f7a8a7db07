package scenarios

import (
	"maps"
	"slices"
)

// Clone returns a deep copy of the scenario: changing the copy (a flag
// override, a sweep variant) leaves the original alone.
func (s *Scenario) Clone() *Scenario {
	c := *s
	if s.Broker.TLS != nil {
		tls := *s.Broker.TLS
		c.Broker.TLS = &tls
	}
	if s.Sizing != nil {
		z := *s.Sizing
		c.Sizing = &z
	}
	c.Thresholds = slices.Clone(s.Thresholds)
	t := &c.Topology
	t.Exchanges = slices.Clone(t.Exchanges)
	t.Queues = slices.Clone(t.Queues)
	for i := range t.Queues {
		if t.Queues[i].Arguments != nil {
			t.Queues[i].Arguments = cloneTree(t.Queues[i].Arguments).(map[string]any)
		}
	}
	t.Bindings = slices.Clone(t.Bindings)
	for i := range t.Bindings {
		t.Bindings[i].Headers = maps.Clone(t.Bindings[i].Headers)
	}
	c.Publishers = slices.Clone(c.Publishers)
	for i := range c.Publishers {
		p := &c.Publishers[i]
		p.RoutingKeys = slices.Clone(p.RoutingKeys)
		p.WeightedKeys = slices.Clone(p.WeightedKeys)
		p.Headers = maps.Clone(p.Headers)
		if p.SizeDistribution != nil {
			d := *p.SizeDistribution
			d.Choices = slices.Clone(d.Choices)
			p.SizeDistribution = &d
		}
		p.Rate = p.Rate.clone()
	}
	c.Consumers = slices.Clone(c.Consumers)
	for i := range c.Consumers {
		c.Consumers[i].Rate = c.Consumers[i].Rate.clone()
	}
	if s.Sweep != nil {
		sw := Sweep{
			Parameters: slices.Clone(s.Sweep.Parameters),
			Variants:   slices.Clone(s.Sweep.Variants),
		}
		for i := range sw.Parameters {
			sw.Parameters[i].Values = cloneTree(sw.Parameters[i].Values).([]any)
		}
		for i := range sw.Variants {
			if sw.Variants[i].Override != nil {
				sw.Variants[i].Override = cloneTree(sw.Variants[i].Override).(map[string]any)
			}
		}
		c.Sweep = &sw
	}
	return &c
}

func (r Rate) clone() Rate {
	if r.Ramp != nil {
		ramp := *r.Ramp
		ramp.From, ramp.To = ramp.From.clone(), ramp.To.clone()
		r.Ramp = &ramp
	}
	if r.Steps != nil {
		steps := StepRates{Rates: make([]Rate, len(r.Steps.Rates)), Every: r.Steps.Every}
		for i, s := range r.Steps.Rates {
			steps.Rates[i] = s.clone()
		}
		r.Steps = &steps
	}
	return r
}
