package scenarios_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/warrenmq/warren/scenarios"
)

func ExampleLoad() {
	src := `
name: orders
topology:
  exchanges:
    - {name: shop.orders, type: topic, durable: true}
  queues:
    - {name: shop.billing, durable: true}
  bindings:
    - {exchange: shop.orders, queue: shop.billing, key: "order.*.paid"}
publishers:
  - exchange: shop.orders
    routing_keys: ["order.{eu,us}.paid"]
    rate: {ramp: {from: 100/s, to: 1000/s, over: 30s}}
consumers:
  - queue: shop.billing
    prefetch: -3
run:
  duration: 1m
`
	s, err := scenarios.Load(strings.NewReader(src), "orders.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Publishers[0].RoutingKeys, s.Publishers[0].Rate)
	for _, p := range scenarios.Problems(s.Validate()) {
		fmt.Println(p)
	}
	// Output:
	// [order.eu.paid order.us.paid] ramp 100/s to 1000/s over 30s
	// orders.yaml:16:5: consumers[0].prefetch: must be between 0 and 65535, got -3
}

func ExampleScenario_Route() {
	s, err := scenarios.Builtin("greenhouse")
	if err != nil {
		panic(err)
	}
	r := s.Route("greenhouse.telemetry", "greenhouse.zone1.temperature", nil)
	for _, step := range r.Steps {
		if step.Matched {
			fmt.Printf("%s: %s\n", step.Queue, step.Why)
		}
	}
	fmt.Println(r.Queues)
	fmt.Println(s.RouteQueues("greenhouse.telemetry", "greenhouse.zone2.humidity", nil))
	// Output:
	// greenhouse.temperature: pattern "greenhouse.*.temperature" matches key "greenhouse.zone1.temperature" (* is exactly one word)
	// greenhouse.all: pattern "greenhouse.#" matches key "greenhouse.zone1.temperature" (# is zero or more words)
	// greenhouse.zone1: pattern "greenhouse.zone1.*" matches key "greenhouse.zone1.temperature" (* is exactly one word)
	// [greenhouse.all greenhouse.temperature greenhouse.zone1]
	// [greenhouse.all]
}

func ExampleScenario_Expand() {
	s, err := scenarios.Builtin("prefetch-sweep")
	if err != nil {
		panic(err)
	}
	variants, err := s.Expand()
	if err != nil {
		panic(err)
	}
	for _, v := range variants {
		fmt.Println(v.Name, v.Scenario.Consumers[0].Prefetch)
	}
	// Output:
	// consumers.prefetch=1 1
	// consumers.prefetch=10 10
	// consumers.prefetch=50 50
	// consumers.prefetch=100 100
	// consumers.prefetch=500 500
}

func ExampleExpandKeyTemplate() {
	keys, err := scenarios.ExpandKeyTemplate("greenhouse.zone{1..2}.{temperature,humidity}")
	fmt.Println(keys, err)
	// Output: [greenhouse.zone1.temperature greenhouse.zone1.humidity greenhouse.zone2.temperature greenhouse.zone2.humidity] <nil>
}

func ExamplePublisherGroup_KeyChoice() {
	p := scenarios.PublisherGroup{WeightedKeys: []scenarios.WeightedKey{
		{Key: "info", Weight: 9},
		{Key: "critical", Weight: 1},
	}}
	kc, err := p.KeyChoice()
	if err != nil {
		panic(err)
	}
	// u comes from the run's seeded random source.
	fmt.Println(kc.Keys, kc.Weights, kc.Pick(0.5), kc.Pick(0.95))
	// Output: [info critical] [0.9 0.1] info critical
}

func ExampleRate_DueAt() {
	// A pacer that has sent n messages waits until DueAt(n).
	r := scenarios.Rate{Steps: &scenarios.StepRates{
		Rates: []scenarios.Rate{{PerSecond: 100}, {PerSecond: 1000}},
		Every: scenarios.Duration(1e9),
	}}
	fmt.Println(r.DueAt(50), r.DueAt(100), r.DueAt(600))
	// Output: 500ms 1s 1.5s
}

func ExampleParseThreshold() {
	// Observed figures in each threshold's unit: seconds for a latency, a
	// percent for a percent bound.
	observed := map[string]float64{"e2e_p99": 0.042, "confirm_p99.9": 0.31, "publish_rate": 99.4}
	for _, s := range []string{"e2e_p99<50ms", "confirm_p999 <= 0.2s", "publish_rate>=99%", "los==0"} {
		t, err := scenarios.ParseThreshold(s)
		if err != nil {
			fmt.Println("error:", strings.SplitN(err.Error(), " (", 2)[0])
			continue
		}
		fmt.Printf("%-22s holds: %v\n", t, t.Holds(observed[t.Metric.Name]))
	}
	// Output:
	// e2e_p99<50ms           holds: true
	// confirm_p99.9<=200ms   holds: false
	// publish_rate>=99%      holds: true
	// error: threshold "los==0": unknown metric "los": did you mean lost?
}

func ExampleRate_Schedule() {
	// A ramp from 0 to 100/s over 10 s: N(t) = 5t², 500 messages during
	// the ramp, then 100/s.
	r := scenarios.Rate{Ramp: &scenarios.RampRate{
		From: scenarios.Rate{PerSecond: 0},
		To:   scenarios.Rate{PerSecond: 100},
		Over: scenarios.Duration(10 * time.Second),
	}}
	s := r.Schedule()
	for _, n := range []uint64{0, 125, 500, 600} {
		at, _ := s.Due(n)
		fmt.Printf("message %d at %s\n", n, at)
	}
	// Output:
	// message 0 at 0s
	// message 125 at 5s
	// message 500 at 10s
	// message 600 at 11s
}
