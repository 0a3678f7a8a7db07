package scenarios

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestBuiltinsLoadAndValidate(t *testing.T) {
	names := BuiltinNames()
	want := []string{"alerts", "backlog-drain", "broadcast", "dead-letter", "durability", "exchange-types", "greenhouse", "headers-routing", "prefetch-sweep", "quorum"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("BuiltinNames() = %q, want %q", names, want)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(); err != nil {
				t.Fatalf("Validate:\n%v", err)
			}
			if s.Name != name {
				t.Errorf("name = %q, want the file's name %q", s.Name, name)
			}
			if s.Description == "" || strings.Contains(s.Description, "\n") {
				t.Errorf("description must be one line: %q", s.Description)
			}
			src, _ := BuiltinSource(name)
			if !strings.HasPrefix(string(src), "#") {
				t.Errorf("%s.yaml does not start with a comment explaining the setup it models", name)
			}
			if d := s.Run.Duration.Std(); d < 10*time.Second || d > 20*time.Second {
				t.Errorf("run.duration = %s, want 10s to 20s", d)
			}
			for _, e := range s.Topology.Exchanges {
				if !strings.HasPrefix(e.Name, name+".") {
					t.Errorf("exchange %q is not prefixed with %q", e.Name, name+".")
				}
			}
			for _, q := range s.Topology.Queues {
				if !strings.HasPrefix(q.Name, name+".") {
					t.Errorf("queue %q is not prefixed with %q", q.Name, name+".")
				}
			}
			vs, err := s.Expand()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if err := v.Scenario.Validate(); err != nil {
					t.Errorf("variant %s: %v", v.Name, err)
				}
				// Every publisher reaches at least one queue with some key,
				// except where the scenario means to show unroutable ones.
				for _, p := range v.Scenario.Publishers {
					kc, err := p.KeyChoice()
					if err != nil {
						t.Fatal(err)
					}
					reached := false
					for _, k := range kc.Keys {
						reached = reached || len(v.Scenario.RouteQueues(p.Exchange, k, p.Headers)) > 0
					}
					if !reached && !(name == "headers-routing" && p.Name == "docx-letters") {
						t.Errorf("variant %q: publishers %s reach no queue", v.Name, p.Name)
					}
				}
			}
		})
	}
}

func TestBuiltinRouting(t *testing.T) {
	tests := []struct {
		scenario, exchange, key string
		headers                 map[string]string
		want                    []string
	}{
		{"greenhouse", "greenhouse.telemetry", "greenhouse.zone1.temperature", nil, []string{"greenhouse.all", "greenhouse.temperature", "greenhouse.zone1"}},
		{"greenhouse", "greenhouse.telemetry", "greenhouse.zone1.humidity", nil, []string{"greenhouse.all", "greenhouse.zone1"}},
		{"greenhouse", "greenhouse.telemetry", "greenhouse.zone3.temperature", nil, []string{"greenhouse.all", "greenhouse.temperature"}},
		{"greenhouse", "greenhouse.telemetry", "greenhouse.zone2.humidity", nil, []string{"greenhouse.all"}},
		{"alerts", "alerts.severity", "critical", nil, []string{"alerts.dashboard", "alerts.log", "alerts.pager"}},
		{"alerts", "alerts.severity", "info", nil, []string{"alerts.log"}},
		{"alerts", "alerts.severity", "debug", nil, nil},
		{"broadcast", "broadcast.events", "anything", nil, []string{"broadcast.analytics", "broadcast.backup", "broadcast.logging"}},
		{"headers-routing", "headers-routing.documents", "", map[string]string{"format": "pdf", "type": "report"}, []string{"headers-routing.pdf-or-invoice", "headers-routing.pdf-reports"}},
		{"headers-routing", "headers-routing.documents", "", map[string]string{"format": "docx", "type": "invoice"}, []string{"headers-routing.pdf-or-invoice"}},
		{"headers-routing", "headers-routing.documents", "", map[string]string{"format": "docx", "type": "letter"}, nil},
		{"dead-letter", "dead-letter.orders", "order.created", nil, []string{"dead-letter.orders"}},
		{"dead-letter", "dead-letter.dlx", "order.created", nil, []string{"dead-letter.dead-letters"}},
		{"prefetch-sweep", "", "prefetch-sweep.work", nil, []string{"prefetch-sweep.work"}},
		{"quorum", "quorum.telemetry", "greenhouse.zone5.humidity", nil, []string{"quorum.readings"}},
	}
	for _, tt := range tests {
		s, err := Builtin(tt.scenario)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.RouteQueues(tt.exchange, tt.key, tt.headers); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %s %q %v reaches %q, want %q", tt.scenario, tt.exchange, tt.key, tt.headers, got, tt.want)
		}
	}
}

func TestBuiltinDetails(t *testing.T) {
	load := func(name string) *Scenario {
		s, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	g := load("greenhouse")
	ex := g.Topology.Exchanges[0]
	if ex.Name != "greenhouse.telemetry" || ex.Type != ExchangeTopic || !ex.Durable {
		t.Errorf("greenhouse exchange = %+v", ex)
	}
	var patterns []string
	for _, b := range g.Topology.Bindings {
		patterns = append(patterns, b.Key)
	}
	if !reflect.DeepEqual(patterns, []string{"greenhouse.*.temperature", "greenhouse.#", "greenhouse.zone1.*"}) {
		t.Errorf("greenhouse patterns = %q", patterns)
	}
	for _, q := range g.Topology.Queues {
		if !q.Durable {
			t.Errorf("greenhouse queue %s is not durable", q.Name)
		}
	}
	p := g.Publishers[0]
	if !p.Persistent || !p.Confirm || len(p.RoutingKeys) != 10 || p.RoutingKeys[0] != "greenhouse.zone1.temperature" {
		t.Errorf("greenhouse publishers = %+v", p)
	}
	for _, c := range g.Consumers {
		if c.AckMode != AckManual || c.Prefetch == 0 {
			t.Errorf("greenhouse consumer %s: ack %s prefetch %d", c.Name, c.AckMode, c.Prefetch)
		}
	}
	if g.Run.Duration.Std() != 20*time.Second {
		t.Errorf("greenhouse duration = %s", g.Run.Duration)
	}

	a := load("alerts")
	if !a.Publishers[0].Mandatory || a.Topology.Exchanges[0].Type != ExchangeDirect {
		t.Error("alerts: want mandatory publishes to a direct exchange")
	}
	kc, _ := a.Publishers[0].KeyChoice()
	unroutable := 0.0
	for i, k := range kc.Keys {
		if a.Route(a.Publishers[0].Exchange, k, nil).Unroutable() {
			unroutable += kc.Weights[i]
		}
	}
	if unroutable != 0.1 {
		t.Errorf("alerts: unroutable share = %v, want 0.1", unroutable)
	}

	d := load("dead-letter")
	q := d.Topology.Queues[0]
	if q.DeadLetterExchange == "" || q.MessageTTL == 0 || q.MaxLength == 0 {
		t.Errorf("dead-letter orders queue = %+v", q)
	}
	if c := d.Consumers[0]; c.RejectRate <= 0 || c.Requeue {
		t.Errorf("dead-letter consumer = %+v", c)
	}
	if !strings.HasSuffix(d.Topology.Queues[1].Name, "dead-letters") {
		t.Errorf("dead-letter queue = %s", d.Topology.Queues[1].Name)
	}

	ps := load("prefetch-sweep")
	vs, _ := ps.Expand()
	var prefetch []int
	for _, v := range vs {
		prefetch = append(prefetch, v.Scenario.Consumers[0].Prefetch)
		if v.Scenario.Consumers[0].ProcessingTime == 0 {
			t.Error("prefetch-sweep: workers need a processing time")
		}
	}
	if !reflect.DeepEqual(prefetch, []int{1, 10, 50, 100, 500}) {
		t.Errorf("prefetch-sweep variants = %v", prefetch)
	}

	bd := load("backlog-drain")
	r := bd.Publishers[0].Rate
	capacity := float64(bd.Consumers[0].Count) / bd.Consumers[0].ProcessingTime.Std().Seconds()
	if r.Kind() != RateSteps || r.At(0) <= capacity || r.At(bd.Run.Duration.Std()-time.Second) >= capacity {
		t.Errorf("backlog-drain: rate %s against a capacity of %v/s: want a burst above it, then below", r, capacity)
	}

	qu := load("quorum")
	if qu.Topology.Queues[0].Type != QueueQuorum {
		t.Errorf("quorum queue type = %s", qu.Topology.Queues[0].Type)
	}

	et := load("exchange-types")
	vs, err := et.Expand()
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, v := range vs {
		p := v.Scenario.Publishers[0]
		kinds = append(kinds, v.Name)
		var typ string
		for _, e := range v.Scenario.Topology.Exchanges {
			if e.Name == p.Exchange {
				typ = e.Type
			}
		}
		if typ != v.Name {
			t.Errorf("variant %s publishes to a %s exchange", v.Name, typ)
		}
		if got := v.Scenario.RouteQueues(p.Exchange, p.RoutingKeys[0], p.Headers); !reflect.DeepEqual(got, []string{"exchange-types.sink"}) {
			t.Errorf("variant %s reaches %q", v.Name, got)
		}
	}
	if !reflect.DeepEqual(kinds, []string{"direct", "fanout", "topic", "headers"}) {
		t.Errorf("exchange-types variants = %q", kinds)
	}
}

// The scenario is written into result.json and read back by reports: every
// built-in must survive the round trip.
func TestBuiltinsJSONRoundTrip(t *testing.T) {
	for _, name := range BuiltinNames() {
		s, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		first, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var back Scenario
		if err := json.Unmarshal(first, &back); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, first)
		}
		second, err := json.Marshal(&back)
		if err != nil {
			t.Fatal(err)
		}
		if string(first) != string(second) {
			t.Errorf("%s: JSON round trip differs:\n%s\n%s", name, first, second)
		}
		if back.Validate() != nil {
			t.Errorf("%s: read back from JSON, it does not validate: %v", name, back.Validate())
		}
	}
}
