package scenarios

import (
	"strings"
	"testing"
)

// validBase is a small valid scenario; the cases below add to it.
const validBase = `name: t
topology:
  exchanges:
    - {name: t.topic, type: topic}
    - {name: t.hdr, type: headers}
  queues:
    - {name: t.q}
  bindings:
    - {exchange: t.topic, queue: t.q, key: "a.#"}
publishers:
  - exchange: t.topic
    routing_keys: [a.b]
consumers:
  - queue: t.q
run:
  duration: 10s
`

func problemsOf(t *testing.T, src string) []string {
	t.Helper()
	s, err := Load(strings.NewReader(src), "t.yaml")
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, p := range Problems(s.Validate()) {
		out = append(out, p.Error())
	}
	return out
}

func TestValidBaseIsValid(t *testing.T) {
	if p := problemsOf(t, validBase); len(p) != 0 {
		t.Fatalf("problems in the base: %q", p)
	}
}

// replace swaps one line of validBase (the first holding old) for new.
func replace(old, new string) string {
	if !strings.Contains(validBase, old) {
		panic("validBase has no " + old)
	}
	return strings.Replace(validBase, old, new, 1)
}

func TestValidateCatches(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string // one problem contains this
	}{
		{"missing name", replace("name: t\n", ""), "name: is missing"},
		{"unknown exchange type", replace("{name: t.hdr, type: headers}", "{name: t.hdr, type: header}"), `topology.exchanges[1].type: unknown exchange type "header"`},
		{"missing exchange type", replace("{name: t.hdr, type: headers}", "{name: t.hdr}"), "topology.exchanges[1].type: is missing"},
		{"duplicate exchange", replace("{name: t.hdr, type: headers}", "{name: t.topic, type: topic}"), `exchange "t.topic" is declared twice`},
		{"reserved exchange name", replace("{name: t.hdr, type: headers}", "{name: amq.mine, type: headers}"), "amq. are reserved"},
		{"built-in exchange with another type", replace("{name: t.hdr, type: headers}", "{name: amq.topic, type: direct}"), "amq.topic is a built-in topic exchange"},
		{"undeclared alternate exchange", replace("{name: t.hdr, type: headers}", "{name: t.hdr, type: headers, alternate_exchange: nope}"), `alternate_exchange: exchange "nope" is not declared`},
		{"binding to an undeclared queue", replace("queue: t.q, key", "queue: t.nope, key"), `topology.bindings[0].queue: queue "t.nope" is not declared`},
		{"binding from an undeclared exchange", replace("{exchange: t.topic, queue", "{exchange: t.nope, queue"), `topology.bindings[0].exchange: exchange "t.nope" is not declared`},
		{"binding to an undeclared exchange", replace(`{exchange: t.topic, queue: t.q, key: "a.#"}`, `{exchange: t.topic, to_exchange: t.x, key: "a.#"}`), `to_exchange: exchange "t.x" is not declared`},
		{"binding with two destinations", replace(`queue: t.q, key`, `queue: t.q, to_exchange: t.hdr, key`), "has both queue and to_exchange"},
		{"binding with no destination", replace(`queue: t.q, key`, `key`), "needs a queue or a to_exchange"},
		{"topic pattern with an empty word", replace(`key: "a.#"`, `key: "a..b"`), `topic pattern "a..b" has an empty word`},
		{"topic pattern with a trailing dot", replace(`key: "a.#"`, `key: "a."`), "has an empty word"},
		{"headers on a topic binding", replace(`key: "a.#"}`, `key: "a.#", headers: {x: "1"}}`), `exchange "t.topic" is topic, not headers`},
		{"x-match on a topic binding", replace(`key: "a.#"}`, `key: "a.#", match: any}`), "x-match only applies to headers exchanges"},
		{"unknown x-match", replace(`{exchange: t.topic, queue: t.q, key: "a.#"}`, `{exchange: t.hdr, queue: t.q, headers: {a: "1"}, match: some}`), `unknown x-match "some"`},
		{"conflicting x-match", replace(`{exchange: t.topic, queue: t.q, key: "a.#"}`, `{exchange: t.hdr, queue: t.q, headers: {a: "1", x-match: any}, match: all}`), `is "any" but match is "all"`},
		{"delivery limit on a classic queue", replace("{name: t.q}", "{name: t.q, delivery_limit: 5}"), "delivery_limit: is for quorum queues only"},
		{"exclusive quorum queue", replace("{name: t.q}", "{name: t.q, type: quorum, durable: true, exclusive: true}"), "quorum queues cannot be exclusive"},
		{"auto-delete quorum queue", replace("{name: t.q}", "{name: t.q, type: quorum, durable: true, auto_delete: true}"), "quorum queues cannot be auto-delete"},
		{"transient quorum queue", replace("{name: t.q}", "{name: t.q, type: quorum}"), "quorum queues are always durable"},
		{"reject-publish-dlx on quorum", replace("{name: t.q}", "{name: t.q, type: quorum, durable: true, max_length: 10, overflow: reject-publish-dlx}"), "reject-publish-dlx is not supported by quorum queues"},
		{"reject-publish-dlx without a DLX", replace("{name: t.q}", "{name: t.q, max_length: 10, overflow: reject-publish-dlx}"), "set dead_letter_exchange"},
		{"overflow without a limit", replace("{name: t.q}", "{name: t.q, overflow: drop-head}"), "overflow: has no effect without max_length"},
		{"unknown overflow", replace("{name: t.q}", "{name: t.q, max_length: 1, overflow: drop-tail}"), `unknown overflow "drop-tail"`},
		{"negative max length", replace("{name: t.q}", "{name: t.q, max_length: -1}"), "max_length: must be ≥ 0"},
		{"undeclared DLX", replace("{name: t.q}", "{name: t.q, dead_letter_exchange: t.dlx}"), `dead_letter_exchange: exchange "t.dlx" is not declared`},
		{"DL routing key without DLX", replace("{name: t.q}", "{name: t.q, dead_letter_routing_key: x}"), "has no effect without dead_letter_exchange"},
		{"TTL on a stream", replace("{name: t.q}", "{name: t.q, type: stream, durable: true, message_ttl: 1s}"), "message_ttl: is not supported by stream queues"},
		{"argument a typed field sets", replace("{name: t.q}", "{name: t.q, arguments: {x-max-length: 5}}"), "x-max-length: is what max_length sets"},
		{"argument without x-", replace("{name: t.q}", "{name: t.q, arguments: {max-length: 5}}"), "queue arguments start with x-"},
		{"classic-only argument on quorum", replace("{name: t.q}", "{name: t.q, type: quorum, durable: true, arguments: {x-queue-mode: lazy}}"), "x-queue-mode: is for classic queues only"},
		{"stream-only argument on classic", replace("{name: t.q}", "{name: t.q, arguments: {x-max-age: 1h}}"), "x-max-age: is for stream queues only"},
		{"unknown queue type", replace("{name: t.q}", "{name: t.q, type: lazy}"), `unknown queue type "lazy"`},
		{"reserved queue name", replace("{name: t.q}", "{name: amq.q}"), "amq. are reserved"},
		{"publisher to an undeclared exchange", replace("  - exchange: t.topic\n", "  - exchange: t.nope\n"), `publishers[0].exchange: exchange "t.nope" is not declared`},
		{"publisher count", replace("    routing_keys: [a.b]\n", "    routing_keys: [a.b]\n    count: -1\n"), "publishers[0].count: must be ≥ 1, got -1"},
		{"confirm window < 1", replace("    routing_keys: [a.b]\n", "    routing_keys: [a.b]\n    confirm: true\n    confirm_window: -2\n"), "confirm_window: must be ≥ 1 with confirm: true, got -2"},
		{"confirm window without confirm", replace("    routing_keys: [a.b]\n", "    routing_keys: [a.b]\n    confirm_window: 5\n"), "has no effect without confirm: true"},
		{"republish without confirm", replace("    routing_keys: [a.b]\n", "    routing_keys: [a.b]\n    republish_unconfirmed: true\n"), "republish_unconfirmed: needs confirm: true"},
		{"rate ≤ 0 in a ramp", replace("    routing_keys: [a.b]\n", "    routing_keys: [a.b]\n    rate: {ramp: {from: 0, to: 5/s, over: 1s}}\n"), "rate.ramp.from: a ramp needs a rate such as 500/s, not unlimited"},
		{"ramp over ≤ 0", replace("    routing_keys: [a.b]\n", "    routing_keys: [a.b]\n    rate: {ramp: {from: 1/s, to: 5/s, over: 0s}}\n"), "rate.ramp.over: must be greater than 0"},
		{"steps every ≤ 0", replace("    routing_keys: [a.b]\n", "    routing_keys: [a.b]\n    rate: {steps: [1/s, 2/s], every: -1s}\n"), "rate.every: must be greater than 0"},
		{"unlimited step", replace("    routing_keys: [a.b]\n", "    routing_keys: [a.b]\n    rate: {steps: [1/s, unlimited], every: 1s}\n"), "rate.steps[1]: a step needs a rate"},
		{"empty steps", replace("    routing_keys: [a.b]\n", "    routing_keys: [a.b]\n    rate: {steps: [], every: 1s}\n"), "rate.steps: is empty"},
		{"bad key template", replace("routing_keys: [a.b]", `routing_keys: ["a.{b"]`), `publishers[0].routing_keys[0]: template "a.{b" has a { that is not closed`},
		{"pattern as a routing key", replace("routing_keys: [a.b]", "routing_keys: [a.*]"), `"a.*" has a * word: patterns belong in bindings`},
		{"routing_key and routing_keys", replace("routing_keys: [a.b]", "routing_keys: [a.b]\n    routing_key: a.c"), "give routing_key or routing_keys, not both"},
		{"weighted and plain keys", replace("routing_keys: [a.b]", "routing_keys: [a.b]\n    weighted_routing_keys: [{key: a.c, weight: 1}]"), "give routing_keys or weighted_routing_keys, not both"},
		{"negative weight", replace("routing_keys: [a.b]", "weighted_routing_keys: [{key: a.c, weight: -1}]"), "weighted_routing_keys[0].weight: must be a number > 0"},
		{"size and distribution", replace("routing_keys: [a.b]", "routing_keys: [a.b]\n    size: 1KiB\n    size_distribution: {min: 1B, max: 2KiB}"), "give size or size_distribution, not both"},
		{"inverted size range", replace("routing_keys: [a.b]", "routing_keys: [a.b]\n    size_distribution: {min: 2KiB, max: 1KiB}"), "min: is larger than max"},
		{"too large", replace("routing_keys: [a.b]", "routing_keys: [a.b]\n    size: 200MiB"), "above RabbitMQ's default max_message_size"},
		{"internal exchange", replace("{name: t.topic, type: topic}", "{name: t.topic, type: topic, internal: true}"), "is internal: the broker refuses publishes"},
		{"consumer of an undeclared queue", replace("  - queue: t.q\n", "  - queue: t.nope\n"), `consumers[0].queue: queue "t.nope" is not declared`},
		{"prefetch out of range", replace("  - queue: t.q\n", "  - queue: t.q\n    prefetch: 70000\n"), "consumers[0].prefetch: must be between 0 and 65535, got 70000"},
		{"reject rate > 1", replace("  - queue: t.q\n", "  - queue: t.q\n    reject_rate: 1.5\n"), "reject_rate: must be between 0 and 1"},
		{"reject + nack > 1", replace("  - queue: t.q\n", "  - queue: t.q\n    reject_rate: 0.6\n    nack_rate: 0.6\n"), "add up to 1.2, more than 1"},
		{"reject with auto ack", replace("  - queue: t.q\n", "  - queue: t.q\n    ack_mode: auto\n    reject_rate: 0.1\n"), "auto ack cannot reject"},
		{"requeue without rejects", replace("  - queue: t.q\n", "  - queue: t.q\n    requeue: true\n"), "requeue: has no effect"},
		{"consume rate ≤ 0", replace("  - queue: t.q\n", "  - queue: t.q\n    rate: {constant: -1/s}\n"), "invalid rate"},
		{"processing time range", replace("  - queue: t.q\n", "  - queue: t.q\n    processing_time: 5ms\n    processing_time_max: 1ms\n"), "processing_time_max: is shorter than processing_time"},
		{"ack_every above prefetch", replace("  - queue: t.q\n", "  - queue: t.q\n    ack_mode: multiple\n    ack_every: 50\n    prefetch: 10\n"), "more than prefetch 10"},
		{"poll interval without basic_get", replace("  - queue: t.q\n", "  - queue: t.q\n    poll_interval: 5ms\n"), "has no effect without basic_get"},
		{"global prefetch on quorum", strings.Replace(replace("{name: t.q}", "{name: t.q, type: quorum, durable: true}"), "  - queue: t.q\n", "  - queue: t.q\n    global_prefetch: true\n", 1), "quorum queues do not support global prefetch"},
		{"auto ack on a stream", replace("{name: t.q}", "{name: t.q, type: stream, durable: true}"), "consumers[0].prefetch: stream consumers need a prefetch"},
		{"no duration or bound", replace("  duration: 10s\n", "  drain: 1s\n"), "run.duration: is missing"},
		{"negative duration", replace("  duration: 10s\n", "  duration: -1s\n"), "run.duration: must be greater than 0"},
		{"warm-up longer than the run", replace("  duration: 10s\n", "  duration: 10s\n  warm_up: 10s\n"), "run.warm_up: must be ≥ 0 and shorter"},
		{"TLS cert without key", replace("name: t\n", "name: t\nbroker:\n  tls: {cert_file: c.pem}\n"), "cert_file and key_file go together"},
		{"TLS with amqp://", replace("name: t\n", "name: t\nbroker:\n  uri: amqp://localhost/\n  tls: {ca_file: ca.pem}\n"), "use amqps://"},
		{"bad URI scheme", replace("name: t\n", "name: t\nbroker:\n  uri: http://localhost/\n"), `scheme "http"`},
		{"sweep over an unknown field", validBase + "sweep:\n  parameters:\n    - {field: consumers.prefetchh, values: [1, 2]}\n", "sweep.parameters[0].field: consumers.prefetchh is not a field"},
		{"sweep over a missing group", validBase + "sweep:\n  parameters:\n    - {field: \"consumers[workers].prefetch\", values: [1]}\n", `no element named "workers"`},
		{"sweep with no values", validBase + "sweep:\n  parameters:\n    - {field: consumers.prefetch, values: []}\n", "values: is empty"},
		{"sweep with a bad value", validBase + "sweep:\n  parameters:\n    - {field: publishers.rate, values: [10/s, fast]}\n", `sweep.parameters[0].values[1]: publishers.rate: invalid rate "fast"`},
		{"sweep variant out of range", validBase + "sweep:\n  parameters:\n    - {field: consumers.prefetch, values: [10, 70000]}\n", "must be between 0 and 65535, got 70000 (in sweep variant consumers.prefetch=70000)"},
		{"sweep variant without a name", validBase + "sweep:\n  variants:\n    - override: {run: {duration: 5s}}\n", "sweep.variants[0].name: is missing"},
		{"sweep variant with a bad override", validBase + "sweep:\n  variants:\n    - {name: a, override: {run: {durations: 5s}}}\n", `sweep.variants[0].override: cannot be applied: unknown field "durations"`},
		{"too many variants", validBase + "sweep:\n  parameters:\n    - {field: consumers.prefetch, values: [1,2,3,4,5,6,7,8,9,10,11]}\n    - {field: publishers.count, values: [1,2,3,4,5,6,7,8,9,10]}\n    - {field: consumers.count, values: [1,2,3,4,5,6,7,8,9,10]}\n", "more than 1000 variants"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			problems := problemsOf(t, tt.src)
			for _, p := range problems {
				if strings.Contains(p, tt.want) {
					if !strings.HasPrefix(p, "t.yaml:") {
						t.Errorf("problem has no position: %s", p)
					}
					return
				}
			}
			t.Errorf("no problem contains %q; got:\n  %s", tt.want, strings.Join(problems, "\n  "))
		})
	}
}

func TestValidateSkipsDeclarationChecksWhenNotDeclaring(t *testing.T) {
	for _, mode := range []string{"passive", "false"} {
		src := replace("topology:\n", "topology:\n  declare: "+mode+"\n")
		src = strings.Replace(src, "queue: t.q, key", "queue: t.elsewhere, key", 1)
		src = strings.Replace(src, "  - queue: t.q\n", "  - queue: t.other\n", 1)
		if p := problemsOf(t, src); len(p) != 0 {
			t.Errorf("declare: %s: %q", mode, p)
		}
	}
}

func TestValidateReportsEverything(t *testing.T) {
	src := replace("  - queue: t.q\n", "  - queue: t.q\n    prefetch: -1\n    count: -2\n")
	src = strings.Replace(src, "  duration: 10s\n", "  duration: -1s\n", 1)
	if p := problemsOf(t, src); len(p) != 3 {
		t.Errorf("want 3 problems, got %d: %q", len(p), p)
	}
}

func TestApplyDefaultsTwice(t *testing.T) {
	s, err := Load(strings.NewReader(validBase+"sweep:\n  parameters:\n    - {field: consumers.prefetch, values: [1, 2]}\n"), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	before := s.Clone()
	s.ApplyDefaults()
	a, _ := s.Expand()
	b, _ := before.Expand()
	if len(a) != len(b) || s.Publishers[0].Name != before.Publishers[0].Name || s.Validate() != nil {
		t.Errorf("ApplyDefaults is not idempotent")
	}
}

func TestCheckTopicPattern(t *testing.T) {
	for p, ok := range map[string]bool{"": true, "#": true, "a.*.b": true, "a..b": false, ".a": false, "a.": false, ".": false} {
		if err := CheckTopicPattern(p); (err == nil) != ok {
			t.Errorf("CheckTopicPattern(%q) = %v", p, err)
		}
	}
}
