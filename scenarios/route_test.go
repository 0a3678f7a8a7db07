package scenarios

import (
	"reflect"
	"strings"
	"testing"
)

func TestTopicMatch(t *testing.T) {
	tests := []struct {
		pattern, key string
		want         bool
	}{
		// Plain words match only themselves.
		{"a.b", "a.b", true},
		{"a.b", "a.c", false},
		{"a.b", "a.b.c", false},
		{"a.b.c", "a.b", false},
		{"a", "ab", false},
		// * is exactly one word.
		{"a.*", "a.b", true},
		{"a.*", "a", false},
		{"a.*", "a.b.c", false},
		{"*", "a", true},
		{"*", "", false},
		{"*.*", "a.b", true},
		{"*.*", "a", false},
		{"*.b.*", "a.b.c", true},
		// # is zero or more words.
		{"a.#", "a", true},
		{"a.#", "a.b", true},
		{"a.#", "a.b.c.d", true},
		{"a.#", "b.a", false},
		{"#.z", "z", true},
		{"#.z", "a.b.z", true},
		{"#.z", "a.b.zz", false},
		{"a.#.b", "a.b", true},
		{"a.#.b", "a.x.b", true},
		{"a.#.b", "a.x.y.z.b", true},
		{"a.#.b", "a.x.y.z", false},
		{"a.#.b", "a.b.c", false},
		// A pattern of just # matches everything, including the empty key.
		{"#", "", true},
		{"#", "a", true},
		{"#", "a.b.c", true},
		{"#", ".", true},
		{"#.#", "", true},
		{"#.#", "a.b", true},
		{"#.#.#", "a", true},
		// Several #, and # next to *.
		{"#.a.#", "a", true},
		{"#.a.#", "x.a.y.z", true},
		{"#.a.#", "x.b.y", false},
		{"#.*", "", false},
		{"#.*", "a", true},
		{"#.*", "a.b.c", true},
		{"*.#", "a", true},
		{"a.*.#.c", "a.b.c", true},
		{"a.*.#.c", "a.c", false},
		{"a.#.#.b", "a.b", true},
		// Empty words: "" has no words; "a..b" has an empty middle word.
		{"", "", true},
		{"", "a", false},
		{"a", "", false},
		{"a.*.b", "a..b", true},
		{"a.b", "a..b", false},
		{"a.#", "a.", true},
		{"a.*", "a.", true},
		{"*", ".", false},
		{"*.*", ".", true},
		// Only whole words are wildcards.
		{"a*", "ab", false},
		{"a*", "a*", true},
		{"a.#b", "a.b", false},
		// Words are compared byte for byte: case matters.
		{"A.b", "a.b", false},
	}
	for _, tt := range tests {
		if got := TopicMatch(tt.pattern, tt.key); got != tt.want {
			t.Errorf("TopicMatch(%q, %q) = %v, want %v", tt.pattern, tt.key, got, tt.want)
		}
	}
}

func TestHeadersMatch(t *testing.T) {
	binding := map[string]string{"format": "pdf", "type": "report", "x-tenant": "a"}
	tests := []struct {
		name    string
		binding map[string]string
		match   string
		msg     map[string]string
		want    bool
		why     string
	}{
		{"all, all present", binding, "all", map[string]string{"format": "pdf", "type": "report"}, true, "every header matches"},
		{"all, one differs", binding, "all", map[string]string{"format": "pdf", "type": "log"}, false, `header type is "log"`},
		{"all, one missing", binding, "all", map[string]string{"format": "pdf"}, false, "header type is missing"},
		{"all, extra message headers are fine", binding, "all", map[string]string{"format": "pdf", "type": "report", "size": "big"}, true, ""},
		{"all ignores x- binding headers", binding, "all", map[string]string{"format": "pdf", "type": "report", "x-tenant": "b"}, true, "x- are not compared"},
		{"all-with-x compares them", binding, "all-with-x", map[string]string{"format": "pdf", "type": "report", "x-tenant": "b"}, false, ""},
		{"all-with-x, all present", binding, "all-with-x", map[string]string{"format": "pdf", "type": "report", "x-tenant": "a"}, true, ""},
		{"any, one matches", binding, "any", map[string]string{"type": "report"}, true, `header type="report" matches`},
		{"any, value differs", binding, "any", map[string]string{"type": "log"}, false, "none of"},
		{"any, only x- matches", binding, "any", map[string]string{"x-tenant": "a"}, false, ""},
		{"any-with-x, x- matches", binding, "any-with-x", map[string]string{"x-tenant": "a"}, true, ""},
		{"all, empty binding matches everything", map[string]string{}, "all", nil, true, "everything matches"},
		{"any, empty binding matches nothing", map[string]string{}, "any", map[string]string{"a": "b"}, false, "nothing matches"},
		{"all, only x- headers matches everything", map[string]string{"x-a": "1"}, "all", nil, true, ""},
		{"x-match in the table is not a header", map[string]string{"x-match": "any", "a": "1"}, "any", map[string]string{"a": "1"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := HeadersMatch(tt.binding, tt.match, tt.msg, true)
			if got != tt.want {
				t.Errorf("HeadersMatch = %v (%s), want %v", got, why, tt.want)
			}
			if !strings.Contains(why, tt.why) {
				t.Errorf("why = %q, want it to contain %q", why, tt.why)
			}
			if fast, _ := HeadersMatch(tt.binding, tt.match, tt.msg, false); fast != got {
				t.Errorf("without explanation: %v, with: %v", fast, got)
			}
		})
	}
}

func routeTopology() *Scenario {
	return &Scenario{Topology: Topology{
		Exchanges: []Exchange{
			{Name: "direct", Type: ExchangeDirect},
			{Name: "topic", Type: ExchangeTopic, AlternateExchange: "unrouted"},
			{Name: "fan", Type: ExchangeFanout},
			{Name: "hdr", Type: ExchangeHeaders},
			{Name: "unrouted", Type: ExchangeFanout},
			{Name: "loop1", Type: ExchangeFanout},
			{Name: "loop2", Type: ExchangeFanout},
			{Name: "inner", Type: ExchangeTopic, Internal: true},
			{Name: "ae-chain", Type: ExchangeDirect, AlternateExchange: "ae-empty"},
			{Name: "ae-empty", Type: ExchangeDirect, AlternateExchange: "ae-chain"},
		},
		Queues: []Queue{{Name: "q1"}, {Name: "q2"}, {Name: "q3"}, {Name: "lost"}, {Name: "pdf"}, {Name: "any"}},
		Bindings: []Binding{
			{Exchange: "direct", Queue: "q1", Key: "a"},          // 0
			{Exchange: "direct", Queue: "q2", Key: "a"},          // 1
			{Exchange: "direct", Queue: "q1", Key: "b"},          // 2
			{Exchange: "topic", Queue: "q1", Key: "a.*"},         // 3
			{Exchange: "topic", Queue: "q1", Key: "a.#"},         // 4
			{Exchange: "topic", ToExchange: "fan", Key: "#.fan"}, // 5
			{Exchange: "fan", Queue: "q3"},                       // 6
			{Exchange: "fan", Queue: "q2"},                       // 7
			{Exchange: "unrouted", Queue: "lost"},                // 8
			{Exchange: "loop1", ToExchange: "loop2"},             // 9
			{Exchange: "loop2", ToExchange: "loop1"},             // 10
			{Exchange: "loop2", Queue: "q3"},                     // 11
			{Exchange: "hdr", Queue: "pdf", Headers: map[string]string{"format": "pdf", "type": "report"}, Match: "all"}, // 12
			{Exchange: "hdr", Queue: "any", Headers: map[string]string{"format": "pdf", "type": "report"}, Match: "any"}, // 13
			{Exchange: "topic", ToExchange: "inner", Key: "in.#"},                                                        // 14
			{Exchange: "inner", Queue: "q2", Key: "in.*"},                                                                // 15
		},
	}}
}

func TestRouteQueues(t *testing.T) {
	s := routeTopology()
	tests := []struct {
		name     string
		exchange string
		key      string
		headers  map[string]string
		want     []string
	}{
		{"direct, two bindings with the key", "direct", "a", nil, []string{"q1", "q2"}},
		{"direct, one binding", "direct", "b", nil, []string{"q1"}},
		{"direct, no binding: unroutable", "direct", "c", nil, nil},
		{"topic, two bindings to one queue: one copy", "topic", "a.b", nil, []string{"q1"}},
		{"topic, # only", "topic", "a", nil, []string{"q1"}},
		{"topic to fanout exchange", "topic", "x.fan", nil, []string{"q2", "q3"}},
		{"topic, nothing matches: alternate exchange", "topic", "zzz", nil, []string{"lost"}},
		{"topic to internal exchange", "topic", "in.x", nil, []string{"q2"}},
		{"fanout ignores the key", "fan", "whatever", nil, []string{"q2", "q3"}},
		{"exchange cycle ends", "loop1", "", nil, []string{"q3"}},
		{"alternate exchange cycle ends", "ae-chain", "k", nil, nil},
		{"default exchange, declared queue", "", "q2", nil, []string{"q2"}},
		{"default exchange, undeclared queue", "", "nope", nil, nil},
		{"headers all and any", "hdr", "", map[string]string{"format": "pdf", "type": "report"}, []string{"any", "pdf"}},
		{"headers any only", "hdr", "ignored", map[string]string{"format": "pdf"}, []string{"any"}},
		{"headers none", "hdr", "", map[string]string{"format": "doc"}, nil},
		{"undeclared exchange", "nope", "a", nil, nil},
		{"internal exchange refuses publishes", "inner", "in.x", nil, nil},
		{"predeclared amq.topic with no bindings", "amq.topic", "a", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.RouteQueues(tt.exchange, tt.key, tt.headers)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RouteQueues(%q, %q) = %q, want %q", tt.exchange, tt.key, got, tt.want)
			}
			r := s.Route(tt.exchange, tt.key, tt.headers)
			if !reflect.DeepEqual(r.Queues, tt.want) {
				t.Errorf("Route(%q, %q).Queues = %q, want %q", tt.exchange, tt.key, r.Queues, tt.want)
			}
			if r.Unroutable() != (len(tt.want) == 0) {
				t.Errorf("Unroutable = %v", r.Unroutable())
			}
			if len(r.Steps) == 0 {
				t.Errorf("Route(%q, %q) explains nothing", tt.exchange, tt.key)
			}
			for _, st := range r.Steps {
				if st.Why == "" || st.Match == "" {
					t.Errorf("step without explanation: %+v", st)
				}
			}
		})
	}
}

func TestRouteExplains(t *testing.T) {
	s := routeTopology()
	find := func(r Route, binding int) RouteStep {
		t.Helper()
		for _, st := range r.Steps {
			if st.Binding == binding {
				return st
			}
		}
		t.Fatalf("no step for binding %d in %+v", binding, r.Steps)
		return RouteStep{}
	}

	r := s.Route("topic", "x.fan", nil)
	if st := find(r, 5); !st.Matched || st.Match != MatchPattern || st.ToExchange != "fan" || st.Depth != 0 ||
		st.Why != `pattern "#.fan" matches key "x.fan" (# is zero or more words)` {
		t.Errorf("step for binding 5: %+v", st)
	}
	if st := find(r, 6); !st.Matched || st.Match != MatchFanout || st.Depth != 1 || st.Queue != "q3" {
		t.Errorf("step for binding 6: %+v", st)
	}
	if st := find(r, 3); st.Matched || st.Why != `pattern "a.*" does not match key "x.fan" (* is exactly one word)` {
		t.Errorf("step for binding 3: %+v", st)
	}

	r = s.Route("topic", "zzz", nil)
	var alt *RouteStep
	for i := range r.Steps {
		if r.Steps[i].Match == MatchAlternate {
			alt = &r.Steps[i]
		}
	}
	if alt == nil || alt.ToExchange != "unrouted" || !strings.Contains(alt.Why, "alternate exchange") {
		t.Errorf("no alternate-exchange step: %+v", r.Steps)
	}

	r = s.Route("loop1", "", nil)
	cycle := false
	for _, st := range r.Steps {
		cycle = cycle || st.Match == MatchCycle
	}
	if !cycle {
		t.Errorf("no cycle step: %+v", r.Steps)
	}

	r = s.Route("direct", "a", nil)
	if st := find(r, 2); st.Matched || st.Why != `key "a" differs from the binding key "b"` {
		t.Errorf("step for binding 2: %+v", st)
	}
	if st := find(r, 0); !st.Matched || st.Match != MatchExact || st.Why != `key "a" equals the binding key` {
		t.Errorf("step for binding 0: %+v", st)
	}

	r = s.Route("nope", "a", nil)
	if !strings.Contains(r.Refused, "404") {
		t.Errorf("Refused = %q", r.Refused)
	}
	r = s.Route("inner", "in.a", nil)
	if !strings.Contains(r.Refused, "internal") {
		t.Errorf("Refused = %q", r.Refused)
	}
	r = s.Route("", "nope", nil)
	if r.Refused != "" || len(r.Steps) != 1 || r.Steps[0].Match != MatchMissing {
		t.Errorf("default exchange to a missing queue: %+v", r)
	}

	r = s.Route("hdr", "", map[string]string{"format": "pdf"})
	if st := find(r, 12); st.Matched || st.Match != MatchHeadersAll || st.Why != `x-match all: header type is missing, the binding wants "report"` {
		t.Errorf("step for binding 12: %+v", st)
	}
	if st := find(r, 13); !st.Matched || st.Match != MatchHeadersAny {
		t.Errorf("step for binding 13: %+v", st)
	}
}

func BenchmarkRouteQueues(b *testing.B) {
	s, err := Builtin("greenhouse")
	if err != nil {
		b.Fatal(err)
	}
	r := s.Router()
	b.ReportAllocs()
	for b.Loop() {
		r.Queues("greenhouse.telemetry", "greenhouse.zone1.temperature", nil)
	}
}

func TestDeadLetterRoute(t *testing.T) {
	s := &Scenario{Topology: Topology{
		Exchanges: []Exchange{{Name: "dlx", Type: ExchangeDirect, Internal: true}},
		Queues: []Queue{
			{Name: "orders", DeadLetterExchange: "dlx"},
			{Name: "keyed", DeadLetterExchange: "dlx", DeadLetterRoutingKey: "late"},
			{Name: "gone", DeadLetterExchange: "nope"},
			{Name: "plain"},
			{Name: "dead-created"}, {Name: "dead-late"},
		},
		Bindings: []Binding{
			{Exchange: "dlx", Queue: "dead-created", Key: "order.created"},
			{Exchange: "dlx", Queue: "dead-late", Key: "late"},
		},
	}}
	tests := []struct {
		queue string
		ok    bool
		want  []string
	}{
		{"orders", true, []string{"dead-created"}},
		{"keyed", true, []string{"dead-late"}},
		{"gone", true, nil},
		{"plain", false, nil},
		{"undeclared", false, nil},
	}
	for _, tt := range tests {
		r, ok := s.DeadLetterRoute(tt.queue, "order.created", nil)
		if ok != tt.ok || !reflect.DeepEqual(r.Queues, tt.want) {
			t.Errorf("DeadLetterRoute(%s) = %q, %v; want %q, %v", tt.queue, r.Queues, ok, tt.want, tt.ok)
		}
		if ok && len(r.Steps) == 0 {
			t.Errorf("DeadLetterRoute(%s) explains nothing", tt.queue)
		}
	}
}
