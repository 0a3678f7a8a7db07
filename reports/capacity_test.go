package reports_test

import (
	"context"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/capacity"
	"github.com/warrenmq/warren/reports"
)

// capacityReport searches a stand-in broker whose consumers take limit
// msg/s and whose generator manages gen msg/s.
func capacityReport(t *testing.T, limit, gen float64) *capacity.Report {
	t.Helper()
	step := func(_ context.Context, rate float64, n int) (capacity.Measurement, error) {
		achieved := math.Min(rate, gen)
		m := capacity.Measurement{
			Target: rate, Achieved: achieved, Consumed: math.Min(achieved, limit), Published: int64(achieved * 15),
			P99: 4 * time.Millisecond, Delivered: int64(achieved * 15), GeneratorCPU: 0.4,
			Took: 17 * time.Second, Dir: fmt.Sprintf("steps/%02d-%g", n, rate),
		}
		grow := math.Max(0, achieved-limit)
		for s := 6; s <= 15; s++ {
			m.Backlog = append(m.Backlog, capacity.DepthSample{T: float64(s), Depth: float64(3+s%3) + grow*float64(s-5)})
		}
		if grow > 0 {
			m.P99 = time.Duration(grow * 12 * float64(time.Second) / limit)
		}
		if rate > gen {
			m.GeneratorCPU, m.SendDelayP99 = 0.97, time.Second
		}
		return m, nil
	}
	rep, err := capacity.Search(context.Background(), capacity.Config{Start: 250}, capacity.Objective{P99: 50 * time.Millisecond}, step)
	if err != nil {
		t.Fatal(err)
	}
	rep.Scenario, rep.Broker = "work-queue", "amqp://guest:xxxxx@127.0.0.1:5672/"
	if rep.LimitedBy == capacity.LimitBroker {
		rep.Queue = &capacity.QueueRate{Queue: "work", Type: "classic", BodyBytes: 1024, Persistent: true, Confirms: true, Rate: rep.SustainableRate}
	}
	plan := rep.SustainableRate / 1.25
	rep.Plan = &capacity.Plan{Headroom: 1.25, Rate: plan, Command: fmt.Sprintf("warren size --rate %.0f --size 1KiB --backlog 10s", math.Floor(plan))}
	return rep
}

func TestRenderCapacity(t *testing.T) {
	for _, tt := range []struct {
		name       string
		limit, gen float64
		says       string
	}{
		{"capacity-broker.md", 1960, 1e9, "one classic queue sustains 1,940 msg/s of 1.0 KiB persistent confirmed messages on this broker"},
		{"capacity-generator.md", 1e9, 3100, "The limit found is warren's, not the broker's."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rep := capacityReport(t, tt.limit, tt.gen)
			dir := t.TempDir()
			if err := reports.RenderCapacity(dir, rep); err != nil {
				t.Fatal(err)
			}
			md, err := os.ReadFile(filepath.Join(dir, reports.CapacityFile))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), tt.says) {
				t.Errorf("capacity.md does not say %q", tt.says)
			}
			checkGolden(t, tt.name, md)
			checkPNGSize(t, filepath.Join(dir, reports.CapacityChartFile), image.Point{X: 1200, Y: 1350})
		})
	}
}

func TestRenderCapacityWithoutSteps(t *testing.T) {
	rep := &capacity.Report{Schema: capacity.Schema, Scenario: "x", Stopped: capacity.StopInterrupted, LimitedBy: capacity.LimitNone,
		Objective: capacity.ObjectiveRecord{P99Micros: 50_000, MinAchieved: 0.99, MaxGrowth: 0.01},
		Search:    capacity.SearchRecord{Start: 100, Factor: 2, Resolution: 0.05, Retries: 1, MinRate: 1, MaxSteps: 30, MaxTimeS: 1800, WarmUpS: 5, HoldS: 10, MinMessages: 2000}}
	dir := t.TempDir()
	if err := reports.RenderCapacity(dir, rep); err != nil {
		t.Fatal(err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, reports.CapacityFile))
	if !strings.Contains(string(md), "**No rate was judged**") {
		t.Errorf("capacity.md:\n%s", md)
	}
	checkPNG(t, filepath.Join(dir, reports.CapacityChartFile))
}
