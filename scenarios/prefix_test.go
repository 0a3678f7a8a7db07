package scenarios

import "testing"

func TestPrefixNames(t *testing.T) {
	s, err := Builtin("greenhouse")
	if err != nil {
		t.Fatal(err)
	}
	s.PrefixNames("t1.")
	if err := s.Validate(); err != nil {
		t.Fatalf("prefixed scenario no longer validates: %v", err)
	}
	for _, e := range s.Topology.Exchanges {
		if e.Name[:3] != "t1." {
			t.Errorf("exchange %q not prefixed", e.Name)
		}
	}
	for _, b := range s.Topology.Bindings {
		if b.Exchange[:3] != "t1." || b.Queue[:3] != "t1." {
			t.Errorf("binding %+v not prefixed", b)
		}
	}
	for _, c := range s.Consumers {
		if c.Queue[:3] != "t1." {
			t.Errorf("consumer queue %q not prefixed", c.Queue)
		}
	}
	if s.Publishers[0].Exchange[:3] != "t1." {
		t.Errorf("publisher exchange %q not prefixed", s.Publishers[0].Exchange)
	}
	// Routing keys of a topic exchange are not names: they stay.
	if s.Publishers[0].RoutingKeys[0] != "greenhouse.zone1.temperature" {
		t.Errorf("routing key changed to %q", s.Publishers[0].RoutingKeys[0])
	}
}

func TestPrefixNamesDefaultExchange(t *testing.T) {
	s := &Scenario{
		Name:       "direct-to-queue",
		Topology:   Topology{Queues: []Queue{{Name: "jobs"}}},
		Publishers: []PublisherGroup{{Exchange: "", RoutingKeys: []string{"jobs", "elsewhere"}}},
	}
	s.PrefixNames("p.")
	if got := s.Publishers[0].RoutingKeys; got[0] != "p.jobs" || got[1] != "elsewhere" {
		t.Errorf("routing keys = %q, want the queue name prefixed and the other key kept", got)
	}
}

func TestPrefixNamesSingleRoutingKey(t *testing.T) {
	s, err := Builtin("prefetch-sweep")
	if err != nil {
		t.Fatal(err)
	}
	s.Sweep = nil
	s.PrefixNames("p.")
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	q := s.Consumers[0].Queue
	if got := s.RouteQueues(s.Publishers[0].Exchange, s.Publishers[0].RoutingKeys[0], nil); len(got) != 1 || got[0] != q {
		t.Errorf("after prefixing, the publisher's key routes to %q, want [%s]", got, q)
	}
}
