package main

import (
	"strings"
	"testing"
)

func TestRouteTopic(t *testing.T) {
	code, out, errOut := scenarioCLI("route", "greenhouse", "--exchange", "greenhouse.telemetry", "--key", "greenhouse.zone1.temperature")
	want := `message to exchange greenhouse.telemetry (topic) with key "greenhouse.zone1.temperature":
  ✓ binding 0 to queue greenhouse.temperature: pattern "greenhouse.*.temperature" matches key "greenhouse.zone1.temperature" (* is exactly one word)
  ✓ binding 1 to queue greenhouse.all: pattern "greenhouse.#" matches key "greenhouse.zone1.temperature" (# is zero or more words)
  ✓ binding 2 to queue greenhouse.zone1: pattern "greenhouse.zone1.*" matches key "greenhouse.zone1.temperature" (* is exactly one word)
reaches 3 queues: greenhouse.all, greenhouse.temperature, greenhouse.zone1
`
	if code != exitOK || out != want || errOut != "" {
		t.Errorf("exit %d\nstdout:\n%s\nwant:\n%s\nstderr: %s", code, out, want, errOut)
	}
}

func TestRouteVerboseShowsMisses(t *testing.T) {
	code, out, _ := scenarioCLI("route", "greenhouse", "-e", "greenhouse.telemetry", "-k", "greenhouse.zone2.humidity", "-v")
	if code != exitOK || !strings.Contains(out, `✗ binding 0 to queue greenhouse.temperature: pattern "greenhouse.*.temperature" does not match key "greenhouse.zone2.humidity"`) ||
		!strings.HasSuffix(out, "reaches 1 queue: greenhouse.all\n") {
		t.Errorf("exit %d\n%s", code, out)
	}
	_, out, _ = scenarioCLI("route", "greenhouse", "-e", "greenhouse.telemetry", "-k", "greenhouse.zone2.humidity")
	if strings.Contains(out, "✗") {
		t.Errorf("misses shown without --verbose:\n%s", out)
	}
}

func TestRouteUnroutable(t *testing.T) {
	// The exchange defaults to the one every publisher uses.
	code, out, _ := scenarioCLI("route", "alerts", "--key", "debug")
	if code != exitFailure || !strings.Contains(out, `✗ binding 5 to queue alerts.log: key "debug" differs from the binding key "info"`) ||
		!strings.HasPrefix(out, `message to exchange alerts.severity (direct) with key "debug":`) ||
		!strings.HasSuffix(out, "unroutable: no queue receives this message; the broker drops it, or returns it to a publisher that sets mandatory\n") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestRouteHeaders(t *testing.T) {
	code, out, _ := scenarioCLI("route", "headers-routing", "--exchange", "headers-routing.documents", "--header", "type=invoice", "-H", "format=docx")
	want := `message to exchange headers-routing.documents (headers) with key "" and headers format=docx, type=invoice:
  ✓ binding 1 to queue headers-routing.pdf-or-invoice: x-match any: header type="invoice" matches
reaches 1 queue: headers-routing.pdf-or-invoice
`
	if code != exitOK || out != want {
		t.Errorf("exit %d\n%s\nwant:\n%s", code, out, want)
	}
}

func TestRouteDefaultExchangeAndRefusal(t *testing.T) {
	code, out, _ := scenarioCLI("route", "prefetch-sweep", "--exchange", "", "--key", "prefetch-sweep.work")
	if code != exitOK || !strings.Contains(out, "message to the default exchange") || !strings.HasSuffix(out, "reaches 1 queue: prefetch-sweep.work\n") {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, out, _ = scenarioCLI("route", "greenhouse", "--exchange", "nope", "--key", "a")
	if code != exitFailure || !strings.Contains(out, `refused: exchange "nope" is not declared`) {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestRouteExchangeToExchangeAndAlternate(t *testing.T) {
	path := writeScenario(t, "e2e.yaml", `name: e2e
topology:
  exchanges:
    - {name: e2e.front, type: topic, alternate_exchange: e2e.unrouted}
    - {name: e2e.fan, type: fanout}
    - {name: e2e.unrouted, type: fanout}
  queues: [{name: e2e.a}, {name: e2e.b}, {name: e2e.lost}]
  bindings:
    - {exchange: e2e.front, to_exchange: e2e.fan, key: "orders.#"}
    - {exchange: e2e.fan, queue: e2e.a}
    - {exchange: e2e.fan, queue: e2e.b}
    - {exchange: e2e.unrouted, queue: e2e.lost}
publishers: [{exchange: e2e.front}]
run: {duration: 10s}
`)
	code, out, _ := scenarioCLI("route", path, "--key", "orders.eu.new")
	want := `message to exchange e2e.front (topic) with key "orders.eu.new":
  ✓ binding 0 to exchange e2e.fan: pattern "orders.#" matches key "orders.eu.new" (# is zero or more words)
    ✓ at e2e.fan, binding 1 to queue e2e.a: a fanout exchange copies every message to every binding, whatever the key
    ✓ at e2e.fan, binding 2 to queue e2e.b: a fanout exchange copies every message to every binding, whatever the key
reaches 2 queues: e2e.a, e2e.b
`
	if code != exitOK || out != want {
		t.Errorf("exit %d\n%s\nwant:\n%s", code, out, want)
	}
	code, out, _ = scenarioCLI("route", path, "--key", "invoices.new")
	if code != exitOK || !strings.Contains(out, `✓ no binding of "e2e.front" matched: its alternate exchange "e2e.unrouted" takes the message`) ||
		!strings.HasSuffix(out, "reaches 1 queue: e2e.lost\n") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

func TestRouteVariant(t *testing.T) {
	code, out, _ := scenarioCLI("route", "exchange-types", "--variant", "headers", "-H", "kind=reading")
	if code != exitOK || !strings.Contains(out, "exchange exchange-types.headers (headers)") || !strings.HasSuffix(out, "reaches 1 queue: exchange-types.sink\n") {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, _, errOut := scenarioCLI("route", "exchange-types", "--variant", "nope")
	if code != exitBadInput || !strings.Contains(errOut, `no variant "nope" in exchange-types: choose one of direct, fanout, topic, headers`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestRouteBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"route"}, "give one scenario file or built-in name"},
		{[]string{"route", "greenhouse", "alerts"}, "give one scenario file"},
		{[]string{"route", "nope", "-e", "x"}, `no built-in scenario "nope"`},
		{[]string{"route", "headers-routing", "-e", "headers-routing.documents", "-H", "novalue"}, `--header "novalue": write it as name=value`},
	}
	for _, tt := range tests {
		code, _, errOut := scenarioCLI(tt.args...)
		if code != exitBadInput || !strings.Contains(errOut, tt.want) {
			t.Errorf("%q: exit %d, stderr %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
	code, _, errOut := scenarioCLI("route", writeScenario(t, "two.yaml", `name: two
topology:
  exchanges: [{name: two.a, type: fanout}, {name: two.b, type: fanout}]
publishers: [{exchange: two.a}, {exchange: two.b}]
run: {duration: 10s}
`))
	if code != exitBadInput || !strings.Contains(errOut, "give --exchange: the scenario's publishers use 2 exchanges") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestRouteShowsDeadLettering(t *testing.T) {
	code, out, _ := scenarioCLI("route", "dead-letter", "--key", "order.created")
	want := "reaches 1 queue: dead-letter.orders\n" +
		"if dead-lettered from dead-letter.orders: dead-letter exchange dead-letter.dlx sends it to dead-letter.dead-letters\n"
	if code != exitOK || !strings.HasSuffix(out, want) {
		t.Errorf("exit %d\n%s\nwant it to end with:\n%s", code, out, want)
	}
}
