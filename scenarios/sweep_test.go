package scenarios

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const sweepBase = `name: s
topology:
  exchanges:
    - {name: s.x, type: direct}
    - {name: s.f, type: fanout}
  queues:
    - {name: s.q, durable: true}
  bindings:
    - {exchange: s.x, queue: s.q, key: k}
publishers:
  - name: pub
    exchange: s.x
    routing_keys: [k]
    confirm: true
consumers:
  - name: fast
    queue: s.q
    prefetch: 10
  - name: slow
    queue: s.q
    prefetch: 20
    processing_time: 5ms
run:
  duration: 10s
`

func mustLoad(t *testing.T, src string) *Scenario {
	t.Helper()
	s, err := Load(strings.NewReader(src), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestExpandWithoutSweep(t *testing.T) {
	s := mustLoad(t, sweepBase)
	vs, err := s.Expand()
	if err != nil || len(vs) != 1 || vs[0].Name != "" {
		t.Fatalf("Expand = %+v, %v", vs, err)
	}
	vs[0].Scenario.Consumers[0].Prefetch = 999
	if s.Consumers[0].Prefetch != 10 {
		t.Error("the variant shares memory with the base")
	}
}

func TestExpandParameters(t *testing.T) {
	s := mustLoad(t, sweepBase+`sweep:
  parameters:
    - field: consumers.prefetch
      values: [1, 50]
    - field: queues.type
      values: [classic, quorum]
`)
	vs, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	want := []string{
		"consumers.prefetch=1,queues.type=classic", "consumers.prefetch=1,queues.type=quorum",
		"consumers.prefetch=50,queues.type=classic", "consumers.prefetch=50,queues.type=quorum",
	}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("names = %q, want %q", names, want)
	}
	v := vs[3].Scenario
	if v.Consumers[0].Prefetch != 50 || v.Consumers[1].Prefetch != 50 || v.Topology.Queues[0].Type != QueueQuorum {
		t.Errorf("variant 3 = %+v %+v", v.Consumers, v.Topology.Queues)
	}
	if !reflect.DeepEqual(vs[3].Params, map[string]string{"consumers.prefetch": "50", "queues.type": "quorum"}) {
		t.Errorf("Params = %v", vs[3].Params)
	}
	if v.Sweep != nil || v.Name != "s" {
		t.Errorf("variant keeps its sweep or loses its name: %+v", v)
	}
	// Everything else is the base's.
	if v.Consumers[1].ProcessingTime.Std() != 5*time.Millisecond || !v.Publishers[0].Confirm || v.Run.Duration.Std() != 10*time.Second {
		t.Errorf("variant lost base fields: %+v", v)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestExpandFields(t *testing.T) {
	tests := []struct {
		field string
		value any
		check func(*Scenario) bool
	}{
		{"consumers.count", 3, func(s *Scenario) bool { return s.Consumers[0].Count == 3 && s.Consumers[1].Count == 3 }},
		{"consumers[1].prefetch", 7, func(s *Scenario) bool { return s.Consumers[0].Prefetch == 10 && s.Consumers[1].Prefetch == 7 }},
		{"consumers[slow].prefetch", 7, func(s *Scenario) bool { return s.Consumers[0].Prefetch == 10 && s.Consumers[1].Prefetch == 7 }},
		{"consumers.processing_time", "20ms", func(s *Scenario) bool { return s.Consumers[0].ProcessingTime.Std() == 20*time.Millisecond }},
		{"publishers.count", 4, func(s *Scenario) bool { return s.Publishers[0].Count == 4 }},
		{"publishers[pub].rate", "500/s", func(s *Scenario) bool { return s.Publishers[0].Rate == Rate{PerSecond: 500} }},
		{"publishers.rate", map[string]any{"ramp": map[string]any{"from": "1/s", "to": "9/s", "over": "3s"}}, func(s *Scenario) bool {
			return s.Publishers[0].Rate.String() == "ramp 1/s to 9/s over 3s"
		}},
		{"publishers.size", "4KiB", func(s *Scenario) bool { return s.Publishers[0].Size == 4<<10 }},
		{"publishers.confirm_window", 16, func(s *Scenario) bool { return s.Publishers[0].ConfirmWindow == 16 }},
		{"publishers.size_distribution", map[string]any{"min": "1KiB", "max": "2KiB"}, func(s *Scenario) bool {
			return s.Publishers[0].SizeDistribution != nil && s.Publishers[0].Size == 2<<10
		}},
		{"queues.type", "quorum", func(s *Scenario) bool { return s.Topology.Queues[0].Type == QueueQuorum }},
		{"topology.queues[s.q].max_length", 100, func(s *Scenario) bool { return s.Topology.Queues[0].MaxLength == 100 }},
		{"run.duration", "3s", func(s *Scenario) bool { return s.Run.Duration.Std() == 3*time.Second }},
		{"publishers.exchange", "s.f", func(s *Scenario) bool { return s.Publishers[0].Exchange == "s.f" }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			s := mustLoad(t, sweepBase)
			s.Sweep = &Sweep{Parameters: []SweepParameter{{Field: tt.field, Values: []any{tt.value}}}}
			vs, err := s.Expand()
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 1 || !tt.check(vs[0].Scenario) {
				t.Errorf("%s=%v not applied: %+v", tt.field, tt.value, vs[0].Scenario)
			}
			if err := vs[0].Scenario.Validate(); err != nil {
				t.Errorf("variant does not validate: %v", err)
			}
		})
	}
}

func TestExpandFieldErrors(t *testing.T) {
	for field, want := range map[string]string{
		"":                         "is missing",
		"consumers.prefetchh":      "is not a field",
		"consumers[9].prefetch":    "out of range",
		"consumers[nope].prefetch": `no element named "nope"`,
		"consumers[].prefetch":     "write a group as",
		"consumers..prefetch":      "empty part",
		"sweep.parameters":         "cannot sweep itself",
		"topology":                 "sweep a field inside it",
		"run.duration.x":           "is a single value",
	} {
		s := mustLoad(t, sweepBase)
		s.Sweep = &Sweep{Parameters: []SweepParameter{{Field: field, Values: []any{1}}}}
		_, err := s.Expand()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("field %q: error %v, want %q", field, err, want)
		}
	}
}

func TestExpandVariants(t *testing.T) {
	s := mustLoad(t, sweepBase+`sweep:
  variants:
    - name: fanout
      override:
        publishers:
          - exchange: s.f
        topology:
          bindings:
            - {exchange: s.f, queue: s.q}
    - name: more-consumers
      override:
        consumers:
          - name: slow
            count: 4
          - name: extra
            queue: s.q
        run:
          warm_up: 1s
  parameters:
    - field: consumers[fast].prefetch
      values: [1, 2]
`)
	vs, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 4 || vs[0].Name != "fanout,consumers[fast].prefetch=1" || vs[3].Name != "more-consumers,consumers[fast].prefetch=2" {
		t.Fatalf("variants: %+v", vs)
	}
	if vs[0].Params["variant"] != "fanout" || vs[0].Params["consumers[fast].prefetch"] != "1" {
		t.Errorf("Params = %v", vs[0].Params)
	}
	f := vs[0].Scenario
	// The unnamed publisher merges into the first; bindings are replaced.
	if len(f.Publishers) != 1 || f.Publishers[0].Exchange != "s.f" || !f.Publishers[0].Confirm || f.Publishers[0].Name != "pub" {
		t.Errorf("fanout publishers = %+v", f.Publishers)
	}
	if len(f.Topology.Bindings) != 1 || f.Topology.Bindings[0].Exchange != "s.f" || len(f.Topology.Exchanges) != 2 {
		t.Errorf("fanout topology = %+v", f.Topology)
	}
	m := vs[3].Scenario
	if len(m.Consumers) != 3 || m.Consumers[1].Count != 4 || m.Consumers[1].Prefetch != 20 || m.Consumers[2].Name != "extra" || m.Consumers[0].Prefetch != 2 {
		t.Errorf("more-consumers consumers = %+v", m.Consumers)
	}
	if m.Run.WarmUp.Std() != time.Second || m.Run.Duration.Std() != 10*time.Second {
		t.Errorf("run section not merged: %+v", m.Run)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestExpandDerivedFields(t *testing.T) {
	// routing_keys derived from weighted keys, and size from a size
	// distribution, follow an override of the original field.
	s := mustLoad(t, strings.Replace(sweepBase, "    routing_keys: [k]\n", "    weighted_routing_keys: [{key: k, weight: 1}]\n    size_distribution: {min: 1KiB, max: 2KiB}\n", 1)+`sweep:
  parameters:
    - field: publishers.weighted_routing_keys
      values: [[{key: k, weight: 1}, {key: j, weight: 3}]]
    - field: publishers.size_distribution
      values: [{min: 1KiB, max: 8KiB}]
`)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	vs, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	p := vs[0].Scenario.Publishers[0]
	if !reflect.DeepEqual(p.RoutingKeys, []string{"k", "j"}) || p.Size != 8<<10 {
		t.Errorf("derived fields: keys %q, size %s", p.RoutingKeys, p.Size)
	}
	if vs[0].Name != "publishers.weighted_routing_keys=[{key: k, weight: 1}, {key: j, weight: 3}],publishers.size_distribution={max: 8KiB, min: 1KiB}" {
		t.Errorf("name = %s", vs[0].Name)
	}
}

func TestExpandInCode(t *testing.T) {
	s := &Scenario{
		Name:      "code",
		Topology:  Topology{Queues: []Queue{{Name: "q"}}},
		Consumers: []ConsumerGroup{{Queue: "q", Prefetch: 1}},
		Run:       RunSettings{Duration: Duration(time.Second)},
		Sweep:     &Sweep{Parameters: []SweepParameter{{Field: "consumers.prefetch", Values: []any{5, 6}}}},
	}
	s.ApplyDefaults()
	vs, err := s.Expand()
	if err != nil || len(vs) != 2 || vs[1].Scenario.Consumers[0].Prefetch != 6 {
		t.Fatalf("Expand = %+v, %v", vs, err)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}
