package loadgen_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/warrenmq/warren/internal/testbroker"
	"github.com/warrenmq/warren/loadgen"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

func TestMetricsWhileRunning(t *testing.T) {
	uri := testbroker.Require(t)
	s := fanoutScenario(t, testbroker.UniqueName(t, "prom")+".")
	s.Run.Duration = scenarios.Duration(3 * time.Second)
	reg := prometheus.NewRegistry()
	var families []*dto.MetricFamily
	var gatherErr error
	progress := func(p loadgen.Progress) {
		if families == nil && p.Elapsed >= 2*time.Second {
			families, gatherErr = reg.Gather()
		}
	}
	if _, err := loadgen.Run(context.Background(), s, loadgen.WithURI(uri), loadgen.WithMetrics(reg), loadgen.WithProgress(progress)); err != nil {
		t.Fatal(err)
	}
	if gatherErr != nil || families == nil {
		t.Fatalf("gather during the run: %v", gatherErr)
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range families {
		byName[f.GetName()] = f
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "guest") || strings.Contains(l.GetValue(), "amqp://") {
					t.Errorf("%s carries a URI or credential in label %s=%q", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	pub := byName["warren_messages_published_total"]
	if pub == nil || pub.GetMetric()[0].GetCounter().GetValue() < 100 {
		t.Errorf("published counter missing or too small: %v", pub)
	}
	lat := byName["warren_latency_seconds"]
	if lat == nil {
		t.Fatal("no latency histogram")
	}
	found := false
	for _, m := range lat.GetMetric() {
		h := m.GetHistogram()
		for _, l := range m.GetLabel() {
			if l.GetName() == "metric" && l.GetValue() == results.MetricEndToEnd {
				found = true
				last := h.GetBucket()[len(h.GetBucket())-1]
				if h.GetSampleCount() == 0 || last.GetCumulativeCount() > h.GetSampleCount() {
					t.Errorf("end-to-end histogram: count %d, last bucket %d", h.GetSampleCount(), last.GetCumulativeCount())
				}
			}
		}
	}
	if !found {
		t.Error("no end_to_end latency series")
	}
	if byName["warren_queue_ready_messages"] == nil {
		t.Error("no queue depth gauge")
	}
	// After the run the collector is unregistered: a second run may use
	// the same registry.
	if fams, _ := reg.Gather(); len(fams) != 0 {
		t.Errorf("metrics still registered after the run: %d families", len(fams))
	}
}
