package capacity

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// fakeBroker is a queue whose consumers take limit msg/s: above it the queue
// grows by the difference, and latency with it.
type fakeBroker struct {
	limit float64
	// hiccup fails the first attempt at this rate, as a GC pause would.
	hiccup float64
	// generator is warren's own ceiling: above it, sends fall behind.
	generator float64
	steps     []float64
}

func (b *fakeBroker) step(_ context.Context, rate float64, _ int) (Measurement, error) {
	b.steps = append(b.steps, rate)
	m := Measurement{Target: rate, Achieved: rate, Consumed: math.Min(rate, b.limit), Published: int64(rate * 10),
		P99: 5 * time.Millisecond, Delivered: int64(rate * 10), SendDelayP99: 200 * time.Microsecond,
		GeneratorCPU: rate / (2 * b.generator), Took: 12 * time.Second}
	if b.generator > 0 && rate > b.generator {
		m.Achieved, m.SendDelayP99, m.GeneratorCPU = b.generator, 2*time.Second, 1
	}
	grow := math.Max(0, m.Achieved-b.limit)
	for s := 1; s <= 8; s++ {
		m.Backlog = append(m.Backlog, DepthSample{T: float64(s + 2), Depth: 3 + float64(s%2) + grow*float64(s)})
	}
	if grow > 0 {
		m.P99 = time.Duration(grow * 10 * float64(time.Second) / b.limit)
	}
	if rate == b.hiccup {
		b.hiccup = 0
		m.P99 = time.Second
	}
	return m, nil
}

func TestSearchFindsTheLimit(t *testing.T) {
	b := &fakeBroker{limit: 980, hiccup: 400, generator: 1e9}
	rep, err := Search(context.Background(), Config{Start: 100}, Objective{P99: 100 * time.Millisecond}, b.step)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Schema != Schema || rep.Stopped != StopResolution || !rep.Resolved || rep.LimitedBy != LimitBroker {
		t.Errorf("report %+v", rep)
	}
	if !(rep.SustainableRate <= 980 && rep.SustainableRate >= 980/1.05 && rep.FirstFailRate > 980) {
		t.Errorf("sustainable %v, first fail %v: want the bracket to hold 980 within 5%%", rep.SustainableRate, rep.FirstFailRate)
	}
	// 100, 200, 400 (a hiccup), 400 again, 800, 1600, 1600 (believed), then
	// the bisection.
	want := []float64{100, 200, 400, 400, 800, 1600, 1600, 1200, 1200, 1000, 1000, 900, 950, 975}
	if len(b.steps) < len(want) {
		t.Fatalf("steps %v, want %v...", b.steps, want)
	}
	for i, r := range want {
		if b.steps[i] != r {
			t.Fatalf("steps %v, want them to start %v", b.steps, want)
		}
	}
	if len(rep.Steps) != len(b.steps) {
		t.Fatalf("%d steps recorded, %d run", len(rep.Steps), len(b.steps))
	}
	if s := rep.Steps[2]; s.Pass || s.Phase != PhaseClimb || len(s.Reasons) != 1 || !strings.Contains(s.Reasons[0], "p99 1 s") {
		t.Errorf("the hiccup: %+v", s)
	}
	if s := rep.Steps[3]; !s.Pass || s.Phase != PhaseRetry {
		t.Errorf("its retry: %+v", s)
	}
	if s := rep.Steps[5]; s.Pass || s.Growth.Slope < 600 || !strings.Contains(strings.Join(s.Reasons, ";"), "backlog grew") {
		t.Errorf("1600 msg/s: %+v", s)
	}

	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back["schema"] != "warren.capacity/v1" || back["sustainable_rate"] != rep.SustainableRate {
		t.Errorf("capacity.json: schema %v, sustainable_rate %v", back["schema"], back["sustainable_rate"])
	}
}

func TestSearchSaysWhenTheGeneratorWasTheLimit(t *testing.T) {
	b := &fakeBroker{limit: 1e9, generator: 700}
	rep, err := Search(context.Background(), Config{Start: 100}, Objective{P99: 100 * time.Millisecond}, b.step)
	if err != nil {
		t.Fatal(err)
	}
	if rep.LimitedBy != LimitGenerator || rep.SustainableRate > 700 || rep.SustainableRate < 700/1.05 {
		t.Errorf("limited by %q at %v (first fail %v)", rep.LimitedBy, rep.SustainableRate, rep.FirstFailRate)
	}
}

func TestSearchStopsAtItsBounds(t *testing.T) {
	b := &fakeBroker{limit: 1e9, generator: 1e9}
	rep, err := Search(context.Background(), Config{Start: 100, MaxSteps: 4}, Objective{P99: time.Second}, b.step)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stopped != StopMaxSteps || rep.Resolved || rep.LimitedBy != LimitNone || rep.SustainableRate != 800 || len(b.steps) != 4 {
		t.Errorf("stopped %q, limited by %q, sustainable %v after %v", rep.Stopped, rep.LimitedBy, rep.SustainableRate, b.steps)
	}
}

func TestSearchStopsOnAnError(t *testing.T) {
	b := &fakeBroker{limit: 1e9, generator: 1e9}
	boom := errors.New("connection refused")
	run := func(ctx context.Context, rate float64, n int) (Measurement, error) {
		if n == 3 {
			return Measurement{}, boom
		}
		return b.step(ctx, rate, n)
	}
	rep, err := Search(context.Background(), Config{Start: 100}, Objective{P99: time.Second}, run)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "step 3 at 400 msg/s") {
		t.Fatalf("error %v", err)
	}
	if rep == nil || len(rep.Steps) != 2 || rep.SustainableRate != 200 || rep.Error == "" {
		t.Errorf("report %+v", rep)
	}
}

func TestSearchStopsWhenCancelled(t *testing.T) {
	b := &fakeBroker{limit: 1e9, generator: 1e9}
	ctx, cancel := context.WithCancel(context.Background())
	run := func(ctx context.Context, rate float64, n int) (Measurement, error) {
		if n == 3 {
			cancel()
			return Measurement{}, ctx.Err()
		}
		return b.step(ctx, rate, n)
	}
	rep, err := Search(ctx, Config{Start: 100}, Objective{P99: time.Second}, run)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stopped != StopInterrupted || len(rep.Steps) != 2 || rep.SustainableRate != 200 {
		t.Errorf("report %+v", rep)
	}
}

func TestSearchRefusesABadConfiguration(t *testing.T) {
	_, err := Search(context.Background(), Config{}, Objective{}, nil)
	if err == nil || !strings.Contains(err.Error(), "start rate") || !strings.Contains(err.Error(), "p99") {
		t.Errorf("error %v", err)
	}
}

// Configurations pass through the defaults more than once (Search, then
// Next): "no retries" must stay so.
func TestSearchWithoutRetries(t *testing.T) {
	b := &fakeBroker{limit: 150, generator: 1e9}
	rep, err := Search(context.Background(), Config{Start: 100, Retries: -1}, Objective{P99: time.Second}, b.step)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Steps {
		if s.Phase == PhaseRetry {
			t.Fatalf("a retry without retries: steps %v", b.steps)
		}
	}
	if rep.Search.Retries != 0 || rep.SustainableRate < 150/1.05 || rep.SustainableRate > 150 {
		t.Errorf("retries %d, sustainable %v", rep.Search.Retries, rep.SustainableRate)
	}
}
