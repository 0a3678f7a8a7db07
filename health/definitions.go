package health

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/warrenmq/warren/scenarios"
)

// Definitions is RabbitMQ's definitions format: what `rabbitmqctl
// export_definitions` writes and GET /api/definitions returns. Fields lint
// does not use (parameters, topic permissions, limits) are ignored.
type Definitions struct {
	RabbitVersion   string       `json:"rabbit_version,omitempty"`
	RabbitMQVersion string       `json:"rabbitmq_version,omitempty"`
	ProductVersion  string       `json:"product_version,omitempty"`
	Users           []User       `json:"users,omitempty"`
	Vhosts          []Vhost      `json:"vhosts,omitempty"`
	Permissions     []Permission `json:"permissions,omitempty"`
	Policies        []Policy     `json:"policies,omitempty"`
	Queues          []QueueDef   `json:"queues,omitempty"`
	Exchanges       []Exchange   `json:"exchanges,omitempty"`
	Bindings        []Binding    `json:"bindings,omitempty"`
}

// User is a user of the internal database.
type User struct {
	Name string `json:"name"`
	Tags Tags   `json:"tags"`
}

// Tags are a user's tags. Exports before RabbitMQ 3.9 write them as one
// comma-separated string, later ones as a list; both read.
type Tags []string

// UnmarshalJSON reads a list or a comma-separated string.
func (t *Tags) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = nil
		for _, tag := range strings.Split(s, ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				*t = append(*t, tag)
			}
		}
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("tags: want a list or a comma-separated string: %w", err)
	}
	*t = list
	return nil
}

// Vhost is a virtual host.
type Vhost struct {
	Name string `json:"name"`
}

// Permission is a user's permissions in a virtual host.
type Permission struct {
	User      string `json:"user"`
	Vhost     string `json:"vhost"`
	Configure string `json:"configure"`
	Write     string `json:"write"`
	Read      string `json:"read"`
}

// Version returns the RabbitMQ version the definitions were exported from,
// "" when they do not say.
func (d *Definitions) Version() string {
	for _, v := range []string{d.RabbitMQVersion, d.RabbitVersion, d.ProductVersion} {
		if v != "" {
			return v
		}
	}
	return ""
}

// Topology returns the definitions' queues, exchanges, bindings and
// policies.
func (d *Definitions) Topology() *Topology {
	return &Topology{Queues: d.Queues, Exchanges: d.Exchanges, Bindings: d.Bindings, Policies: d.Policies}
}

// ReadDefinitions reads a definitions file. It rejects input that is not a
// JSON object or has none of the format's keys, so that a scenario or some
// other JSON file is not linted as an empty broker. Numbers in arguments
// and policies keep their exact value (json.Number).
func ReadDefinitions(r io.Reader) (*Definitions, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var keys map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&keys); err != nil {
		return nil, fmt.Errorf("not a RabbitMQ definitions file (a JSON object): %w", err)
	}
	known := false
	for _, k := range []string{"queues", "exchanges", "bindings", "policies", "users", "vhosts", "rabbit_version", "rabbitmq_version"} {
		if _, ok := keys[k]; ok {
			known = true
			break
		}
	}
	if !known {
		return nil, errors.New("not a RabbitMQ definitions file: none of queues, exchanges, bindings, policies, users or vhosts is there")
	}
	var d Definitions
	dec = json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("reading definitions: %w", err)
	}
	return &d, nil
}

// LooksLikeDefinitions reports whether data starts like a JSON object, as a
// definitions file does (a scenario file is YAML).
func LooksLikeDefinitions(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(data), []byte("{"))
}

// ParseConfig reads the keys and values of a rabbitmq.conf file (the
// sysctl-like format: "key = value", # comments). Later keys win.
func ParseConfig(r io.Reader) (map[string]string, error) {
	conf := map[string]string{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key = value, got %q", line, s)
		}
		if i := strings.Index(v, " #"); i >= 0 {
			v = v[:i]
		}
		conf[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return conf, sc.Err()
}

// FromScenario returns a scenario's topology in the definitions format, in
// vhost "", with the typed queue fields as the x- arguments the load
// generator declares. It also returns the exchanges every publisher of the
// scenario publishes to with mandatory set, which need no alternate
// exchange.
func FromScenario(s *scenarios.Scenario) (*Definitions, map[string]bool) {
	d := &Definitions{}
	for _, e := range s.Topology.Exchanges {
		x := Exchange{Name: e.Name, Type: e.Type, Durable: e.Durable, AutoDelete: e.AutoDelete, Internal: e.Internal}
		if e.AlternateExchange != "" {
			x.Arguments = map[string]any{"alternate-exchange": e.AlternateExchange}
		}
		d.Exchanges = append(d.Exchanges, x)
	}
	for _, q := range s.Topology.Queues {
		args := q.XArguments()
		if args == nil {
			args = map[string]any{}
		}
		if q.Type != "" {
			// Spelled out even for classic queues: lint tells queue types
			// apart by it.
			args["x-queue-type"] = q.Type
		}
		d.Queues = append(d.Queues, QueueDef{Name: q.Name, Durable: q.Durable, AutoDelete: q.AutoDelete, Exclusive: q.Exclusive, Arguments: args})
	}
	for _, b := range s.Topology.Bindings {
		x := Binding{Source: b.Exchange, Destination: b.Queue, DestinationType: "queue", RoutingKey: b.Key}
		if b.ToExchange != "" {
			x.Destination, x.DestinationType = b.ToExchange, "exchange"
		}
		if len(b.Headers) > 0 || b.Match != "" {
			x.Arguments = map[string]any{}
			for k, v := range b.Headers {
				x.Arguments[k] = v
			}
			if b.Match != "" {
				x.Arguments["x-match"] = b.Match
			}
		}
		d.Bindings = append(d.Bindings, x)
	}
	mandatory := map[string]bool{}
	plain := map[string]bool{}
	for _, p := range s.Publishers {
		if p.Mandatory {
			mandatory[p.Exchange] = true
		} else {
			plain[p.Exchange] = true
		}
	}
	for e := range plain {
		delete(mandatory, e)
	}
	return d, mandatory
}

// OnlyVhost drops the queues, exchanges, bindings and policies of every
// other virtual host.
func (d *Definitions) OnlyVhost(vhost string) {
	var qs []QueueDef
	for _, q := range d.Queues {
		if q.Vhost == vhost {
			qs = append(qs, q)
		}
	}
	var es []Exchange
	for _, e := range d.Exchanges {
		if e.Vhost == vhost {
			es = append(es, e)
		}
	}
	var bs []Binding
	for _, b := range d.Bindings {
		if b.Vhost == vhost {
			bs = append(bs, b)
		}
	}
	var ps []Policy
	for _, p := range d.Policies {
		if p.Vhost == vhost {
			ps = append(ps, p)
		}
	}
	d.Queues, d.Exchanges, d.Bindings, d.Policies = qs, es, bs, ps
}

// majorVersion returns the major version of "3.10.8", or 0 when unknown.
func majorVersion(v string) int {
	head, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(head)
	if err != nil {
		return 0
	}
	return n
}
