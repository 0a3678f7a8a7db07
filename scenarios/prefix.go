package scenarios

// PrefixNames puts prefix in front of every exchange and queue name the
// scenario declares, and of every reference to them, so that two runs of
// the same scenario on one broker (tests, or several teams) never share a
// queue. The default exchange ("") keeps its name.
func (s *Scenario) PrefixNames(prefix string) {
	if prefix == "" {
		return
	}
	declared := map[string]bool{}
	for _, e := range s.Topology.Exchanges {
		declared[e.Name] = true
	}
	ex := func(name *string) {
		if *name != "" && declared[*name] {
			*name = prefix + *name
		}
	}
	q := func(name *string) {
		if *name != "" {
			*name = prefix + *name
		}
	}
	for i := range s.Topology.Exchanges {
		e := &s.Topology.Exchanges[i]
		ex(&e.AlternateExchange)
		e.Name = prefix + e.Name
	}
	for i := range s.Topology.Queues {
		qu := &s.Topology.Queues[i]
		q(&qu.Name)
		ex(&qu.DeadLetterExchange)
	}
	for i := range s.Topology.Bindings {
		b := &s.Topology.Bindings[i]
		ex(&b.Exchange)
		ex(&b.ToExchange)
		q(&b.Queue)
	}
	queues := map[string]bool{}
	for _, qu := range s.Topology.Queues {
		queues[qu.Name] = true // already prefixed
	}
	for i := range s.Publishers {
		p := &s.Publishers[i]
		if p.Exchange == "" {
			// The default exchange routes by queue name.
			rename := func(key *string) {
				if queues[prefix+*key] {
					*key = prefix + *key
				}
			}
			rename(&p.RoutingKey)
			for k := range p.RoutingKeys {
				rename(&p.RoutingKeys[k])
			}
			for k := range p.WeightedKeys {
				rename(&p.WeightedKeys[k].Key)
			}
		}
		ex(&p.Exchange)
	}
	for i := range s.Consumers {
		q(&s.Consumers[i].Queue)
	}
}
