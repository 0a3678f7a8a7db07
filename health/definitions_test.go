package health

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/warrenmq/warren/scenarios"
)

func TestReadDefinitions(t *testing.T) {
	d := readDefs(t, "testdata/definitions.json")
	if d.Version() != "3.12.4" || len(d.Queues) != 10 || len(d.Exchanges) != 7 || len(d.Bindings) != 5 || len(d.Policies) != 3 {
		t.Errorf("version %q, %d queues, %d exchanges, %d bindings, %d policies",
			d.Version(), len(d.Queues), len(d.Exchanges), len(d.Bindings), len(d.Policies))
	}
	// Tags as a list and as a comma-separated string.
	if got := strings.Join(d.Users[0].Tags, "|") + " " + strings.Join(d.Users[1].Tags, "|"); got != "administrator administrator|monitoring" {
		t.Errorf("tags %s", got)
	}
	// Numbers keep their exact value.
	if n, ok := d.Queues[0].Arguments["x-delivery-limit"].(json.Number); !ok || n.String() != "5" {
		t.Errorf("x-delivery-limit %#v", d.Queues[0].Arguments["x-delivery-limit"])
	}
	if d.Queues[0].QueueType() != "quorum" || d.Queues[3].QueueType() != "classic" {
		t.Errorf("types %s %s", d.Queues[0].QueueType(), d.Queues[3].QueueType())
	}
}

func TestReadDefinitionsRejects(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"name: greenhouse\n", "not a RabbitMQ definitions file (a JSON object)"},
		{`{"name": "x", "publishers": []}`, "none of queues"},
		{`{"queues": [{"name": 5}]}`, "reading definitions"},
		{`{"users": [{"name": "u", "tags": 5}]}`, "tags"},
	} {
		_, err := ReadDefinitions(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestOnlyVhost(t *testing.T) {
	d := readDefs(t, "testdata/definitions.json")
	d.OnlyVhost("billing")
	if len(d.Queues) != 1 || len(d.Exchanges) != 1 || len(d.Bindings) != 1 || len(d.Policies) != 1 || d.Queues[0].Name != "invoices" {
		t.Errorf("%+v", d)
	}
}

func TestParseConfig(t *testing.T) {
	conf := readConf(t, "testdata/rabbitmq.conf")
	if conf["heartbeat"] != "0" || conf["loopback_users"] != "none" || conf["vm_memory_high_watermark.relative"] != "0.4" {
		t.Errorf("%v", conf)
	}
	if _, err := ParseConfig(strings.NewReader("heartbeat 0\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("error %v", err)
	}
	conf, err := ParseConfig(strings.NewReader("heartbeat = 30 # seconds\n"))
	if err != nil || conf["heartbeat"] != "30" {
		t.Errorf("%v %v", conf, err)
	}
}

func TestFromScenario(t *testing.T) {
	s, err := scenarios.Load(strings.NewReader(`name: lint-me
topology:
  exchanges:
    - {name: in, type: direct, durable: true, alternate_exchange: lost}
    - {name: lost, type: fanout, durable: true}
  queues:
    - {name: work, type: quorum, durable: true, max_length: 100, overflow: reject-publish, dead_letter_exchange: lost, delivery_limit: 3, message_ttl: 1m}
  bindings:
    - {exchange: in, queue: work, key: job}
    - {exchange: in, to_exchange: lost, key: other}
publishers:
  - {exchange: in, routing_key: job, mandatory: true, rate: 1/s}
consumers:
  - {queue: work}
run: {duration: 1s}
`), "lint-me.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, mandatory := FromScenario(s)
	if !mandatory["in"] || mandatory["lost"] {
		t.Errorf("mandatory %v", mandatory)
	}
	q := d.Queues[0]
	want := map[string]any{"x-queue-type": "quorum", "x-max-length": int64(100), "x-overflow": "reject-publish",
		"x-dead-letter-exchange": "lost", "x-delivery-limit": int64(3), "x-message-ttl": int64(60000)}
	for k, v := range want {
		if q.Arguments[k] != v {
			t.Errorf("%s = %#v, want %#v", k, q.Arguments[k], v)
		}
	}
	if d.Exchanges[0].Arguments["alternate-exchange"] != "lost" || d.Bindings[1].DestinationType != "exchange" {
		t.Errorf("exchanges %+v bindings %+v", d.Exchanges, d.Bindings)
	}
}
