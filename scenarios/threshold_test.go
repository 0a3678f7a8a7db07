package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical form
		kind MetricKind
		// for latencies
		series string
		stat   string
		pct    float64
		// the bound
		value   float64
		percent bool
	}{
		{"e2e_p99<50ms", "e2e_p99<50ms", KindLatency, LatencyEndToEnd, StatPercentile, 99, 0.05, false},
		{" e2e_p99 < 50ms ", "e2e_p99<50ms", KindLatency, LatencyEndToEnd, StatPercentile, 99, 0.05, false},
		{"E2E_P99<50ms", "e2e_p99<50ms", KindLatency, LatencyEndToEnd, StatPercentile, 99, 0.05, false},
		{"confirm_p999<=200ms", "confirm_p99.9<=200ms", KindLatency, LatencyConfirm, StatPercentile, 99.9, 0.2, false},
		{"confirm_p99.9<=0.2s", "confirm_p99.9<=200ms", KindLatency, LatencyConfirm, StatPercentile, 99.9, 0.2, false},
		{"e2e_actual_p9999<1s", "e2e_actual_p99.99<1s", KindLatency, LatencyEndToEndActual, StatPercentile, 99.99, 1, false},
		{"e2e_actual_p50<1.5ms", "e2e_actual_p50<1.5ms", KindLatency, LatencyEndToEndActual, StatPercentile, 50, 0.0015, false},
		{"e2e_p95<=20ms", "e2e_p95<=20ms", KindLatency, LatencyEndToEnd, StatPercentile, 95, 0.02, false},
		{"e2e_p99.5<20ms", "e2e_p99.5<20ms", KindLatency, LatencyEndToEnd, StatPercentile, 99.5, 0.02, false},
		{"e2e_p995<20ms", "e2e_p99.5<20ms", KindLatency, LatencyEndToEnd, StatPercentile, 99.5, 0.02, false},
		{"e2e_p5>100us", "e2e_p5>100µs", KindLatency, LatencyEndToEnd, StatPercentile, 5, 0.0001, false},
		{"e2e_max<2s", "e2e_max<2s", KindLatency, LatencyEndToEnd, StatMax, 0, 2, false},
		{"e2e_mean<=10ms", "e2e_mean<=10ms", KindLatency, LatencyEndToEnd, StatMean, 0, 0.01, false},
		{"send_delay_min>=0", "send_delay_min>=0", KindLatency, LatencySendDelay, StatMin, 0, 0, false},
		{"send_delay_p99<1m", "send_delay_p99<1m0s", KindLatency, LatencySendDelay, StatPercentile, 99, 60, false},
		{"lost==0", "lost==0", KindCount, "", "", 0, 0, false},
		{"lost <= 0.01%", "lost<=0.01%", KindCount, "", "", 0, 0.01, true},
		{"duplicated!=5", "duplicated!=5", KindCount, "", "", 0, 5, false},
		{"unconfirmed<10", "unconfirmed<10", KindCount, "", "", 0, 10, false},
		{"unconsumed==0", "unconsumed==0", KindCount, "", "", 0, 0, false},
		{"reordered<=1%", "reordered<=1%", KindCount, "", "", 0, 1, true},
		{"redelivered<100", "redelivered<100", KindCount, "", "", 0, 100, false},
		{"nacked==0", "nacked==0", KindCount, "", "", 0, 0, false},
		{"returned==0", "returned==0", KindCount, "", "", 0, 0, false},
		{"publish_rate>=99%", "publish_rate>=99%", KindRate, "", "", 0, 99, true},
		{"publish_rate>=99.5 %", "publish_rate>=99.5%", KindRate, "", "", 0, 99.5, true},
		{"consume_rate>=900/s", "consume_rate>=900/s", KindRate, "", "", 0, 900, false},
		{"consume_rate>=54000/min", "consume_rate>=900/s", KindRate, "", "", 0, 900, false},
		{"consume_rate>900", "consume_rate>900/s", KindRate, "", "", 0, 900, false},
		{"publish_rate>0", "publish_rate>0/s", KindRate, "", "", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			th, err := ParseThreshold(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			m := th.Metric
			if got := th.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if m.Kind != tt.kind || m.Series != tt.series || m.Stat != tt.stat || m.Percentile != tt.pct {
				t.Errorf("metric = %+v", m)
			}
			if diff := th.Value - tt.value; diff > 1e-12 || diff < -1e-12 || th.Percent != tt.percent {
				t.Errorf("value = %v percent %v, want %v %v", th.Value, th.Percent, tt.value, tt.percent)
			}
			// The canonical form reads back as the same threshold.
			again, err := ParseThreshold(th.String())
			if err != nil || again != th {
				t.Errorf("re-parse of %q = %+v, %v", th.String(), again, err)
			}
		})
	}
}

func TestParseThresholdErrors(t *testing.T) {
	tests := []struct {
		in   string
		want []string // the message contains each
	}{
		{"", []string{"empty threshold", "e2e_p99<50ms"}},
		{"e2e_p99 50ms", []string{"no comparison", "< <= > >= == !="}},
		{"<50ms", []string{"no metric"}},
		{"e2e_p99<", []string{"no value", "duration such as 50ms"}},
		{"lost=0", []string{"unknown operator =", "did you mean =="}},
		{"lost===0", []string{"did you mean =="}},
		{"e2e_p99=<50ms", []string{"did you mean <="}},
		{"e2e_p99=>50ms", []string{"did you mean >="}},
		{"lost<>0", []string{"did you mean !="}},
		{"lost<<0", []string{"unknown operator <<"}},
		{"e2e_p99<50", []string{"no unit", "50ms"}},
		{"e2e_p99<fast", []string{"invalid duration", "50ms"}},
		{"e2e_p99<-5ms", []string{"below zero"}},
		{"e2e_p99<5%", []string{"latency", "not a percent"}},
		{"e2e_p100<5ms", []string{"largest value", "max"}},
		{"e2e_p0<5ms", []string{"smallest value", "min"}},
		{"e2e_p125<5ms", []string{"with its dot", "p12.5"}},
		{"e2e_p99.<5ms", []string{"unknown statistic"}},
		{"e2e_p9.9.9<5ms", []string{"unknown statistic"}},
		{"e2e_avg<5ms", []string{"write mean"}},
		{"e2e_median<5ms", []string{"write p50"}},
		{"e2e_fast<5ms", []string{"unknown statistic", "p99"}},
		{"e2e<5ms", []string{"needs a statistic", "e2e_p99"}},
		{"e2e_actual<5ms", []string{"needs a statistic", "e2e_actual_p99"}},
		{"los==0", []string{"unknown metric", "did you mean lost?", "counts are lost"}},
		{"e2e_pp99<5ms", []string{"unknown statistic"}},
		{"e2_p99<5ms", []string{"unknown metric", "did you mean e2e_p99?"}},
		{"end2end_p99<5ms", []string{"unknown metric", "latencies are e2e_"}},
		{"confirms_p99<5ms", []string{"did you mean confirm_p99?"}},
		{"publish>=99%", []string{"did you mean publish_rate?"}},
		{"consume_rat>=99%", []string{"did you mean consume_rate?"}},
		{"throughput>=99%", []string{"unknown metric", "rates are publish_rate and consume_rate"}},
		{"lost==-1", []string{"invalid count", "percent of the expected copies"}},
		{"lost==many", []string{"invalid count"}},
		{"lost==NaN", []string{"invalid count"}},
		{"duplicated<=x%", []string{"invalid percent", "received copies"}},
		{"publish_rate>=-5%", []string{"invalid percent"}},
		{"publish_rate>=unlimited", []string{"give a rate such as 900/s"}},
		{"publish_rate>=900/fortnight", []string{"invalid rate", "900/s"}},
		{"publish_rate>=-900/s", []string{"invalid rate"}},
		{strings.Repeat("x", 300) + "<1", []string{"is not a threshold"}},
		{"lost==\xff", []string{"is not a threshold"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseThreshold(tt.in)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestThresholdHolds(t *testing.T) {
	tests := []struct {
		th       string
		observed float64
		want     bool
	}{
		{"e2e_p99<50ms", 0.049, true},
		{"e2e_p99<50ms", 0.05, false},
		{"e2e_p99<=50ms", 0.05, true},
		{"e2e_p99<=50ms", 0.0501, false},
		{"lost==0", 0, true},
		{"lost==0", 1, false},
		{"lost!=0", 1, true},
		{"lost!=0", 0, false},
		{"publish_rate>=99%", 99, true},
		{"publish_rate>=99%", 98.9, false},
		{"publish_rate>99%", 99, false},
		{"consume_rate>900/s", 900.5, true},
		{"consume_rate>900/s", 900, false},
	}
	for _, tt := range tests {
		th, err := ParseThreshold(tt.th)
		if err != nil {
			t.Fatal(err)
		}
		if got := th.Holds(tt.observed); got != tt.want {
			t.Errorf("%s holds for %v = %v, want %v", tt.th, tt.observed, got, tt.want)
		}
	}
	if (Threshold{Op: "~"}).Holds(0) {
		t.Error("an unknown operator holds")
	}
}

func TestPercentOf(t *testing.T) {
	for in, want := range map[string]string{
		"lost": PercentOfExpected, "unconsumed": PercentOfExpected, "duplicated": PercentOfReceived,
		"reordered": PercentOfReceived, "redelivered": PercentOfReceived, "unconfirmed": PercentOfPublished,
		"nacked": PercentOfPublished, "returned": PercentOfPublished, "publish_rate": PercentOfTarget,
		"consume_rate": PercentOfTarget, "e2e_p99": "",
	} {
		m, err := ParseMetric(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.PercentOf(); got != want {
			t.Errorf("%s: PercentOf = %q, want %q", in, got, want)
		}
	}
}

const thresholdBase = `name: t
topology:
  queues: [{name: t.q}]
publishers:
  - {exchange: "", routing_key: t.q, confirm: true, rate: 100/s}
consumers:
  - queue: t.q
run:
  duration: 10s
thresholds:
  - e2e_p99<50ms
  - "lost == 0"
  - publish_rate>=99%
`

func TestLoadThresholds(t *testing.T) {
	s, err := Load(strings.NewReader(thresholdBase), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, th := range s.Thresholds {
		got = append(got, th.String())
	}
	if strings.Join(got, " ") != "e2e_p99<50ms lost==0 publish_rate>=99%" {
		t.Errorf("thresholds = %q", got)
	}
	// Thresholds go to result.json with the scenario, and come back.
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"thresholds":["e2e_p99\u003c50ms","lost==0","publish_rate\u003e=99%"]`) {
		t.Errorf("JSON: %s", data)
	}
	var back Scenario
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Thresholds) != 3 || back.Thresholds[0] != s.Thresholds[0] || back.Thresholds[2] != s.Thresholds[2] {
		t.Errorf("JSON round trip: %+v", back.Thresholds)
	}
	if err := json.Unmarshal([]byte(`{"thresholds":["lost=0"]}`), &back); err == nil || !strings.Contains(err.Error(), "did you mean ==") {
		t.Errorf("bad threshold in JSON: %v", err)
	}
	// A clone's thresholds are its own.
	c := s.Clone()
	c.Thresholds[0].Value = 1
	if s.Thresholds[0].Value != 0.05 {
		t.Error("changing a clone's threshold changed the original")
	}
}

func TestThresholdsSurviveSweep(t *testing.T) {
	src := thresholdBase + `sweep:
  parameters:
    - {field: consumers.prefetch, values: [1, 10]}
  variants:
    - name: strict
      override:
        thresholds: [e2e_p99<5ms]
    - name: base
      override: {}
`
	s, err := Load(strings.NewReader(src), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	vs, err := s.Expand()
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 4 {
		t.Fatalf("%d variants", len(vs))
	}
	if th := vs[0].Scenario.Thresholds; len(th) != 1 || th[0].String() != "e2e_p99<5ms" {
		t.Errorf("strict variant: %v", th)
	}
	if th := vs[3].Scenario.Thresholds; len(th) != 3 || th[2].String() != "publish_rate>=99%" {
		t.Errorf("base variant: %v", th)
	}
}

func TestThresholdFileErrors(t *testing.T) {
	tests := []struct {
		name, thresholds string
		want             string // one problem (or the load error) is this
	}{
		{"bad metric", "  - e2e_p99<50ms\n  - los==0\n", `t.yaml:12:5: threshold "los==0": unknown metric "los": did you mean lost?`},
		{"bad operator", "  - lost=0\n", `t.yaml:11:5: threshold "lost=0": unknown operator =: did you mean ==?`},
		{"mapping", "  - {metric: lost}\n", "t.yaml:11:5: a threshold is one string"},
		{"not a list", "  e2e_p99<50ms\n", "t.yaml:"},
		{"twice", "  - lost==0\n  - lost == 0\n", "t.yaml:12:5: thresholds[1]: lost==0 is given twice (also thresholds[0]): remove one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(thresholdBase, "  - e2e_p99<50ms\n  - \"lost == 0\"\n  - publish_rate>=99%\n", tt.thresholds, 1)
			got := problemsOf(t, src)
			found := false
			for _, p := range got {
				if strings.HasPrefix(p, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("problems %q, want one starting %q", got, tt.want)
			}
		})
	}
}

func TestCheckThreshold(t *testing.T) {
	tests := []struct {
		name, scenario, threshold string
		want                      string // "" for none
	}{
		{"fine", thresholdBase, "e2e_p99<50ms", ""},
		{"confirm latency with confirms", thresholdBase, "confirm_p99<5ms", ""},
		{"confirm latency without confirms", strings.Replace(thresholdBase, "confirm: true, ", "", 1), "confirm_p99<5ms", "no publisher group asks for confirms"},
		{"unconfirmed without confirms", strings.Replace(thresholdBase, "confirm: true, ", "", 1), "unconfirmed==0", "none can be unconfirmed"},
		{"returned without mandatory", thresholdBase, "returned==0", "mandatory: true"},
		{"returned with mandatory", strings.Replace(thresholdBase, "confirm: true, ", "mandatory: true, ", 1), "returned==0", ""},
		{"e2e without consumers", noConsumers(thresholdBase), "e2e_p99<5ms", "no consumers"},
		{"lost without consumers", noConsumers(thresholdBase), "lost==0", "no consumers"},
		{"consume rate without consumers", noConsumers(thresholdBase), "consume_rate>=1/s", "no consumers"},
		{"percent of an unlimited rate", strings.Replace(thresholdBase, "rate: 100/s", "rate: unlimited", 1), "publish_rate>=99%", "runs unlimited: give every publisher group a rate, or write an absolute rate such as publish_rate>=900/s"},
		{"absolute rate of an unlimited group", strings.Replace(thresholdBase, "rate: 100/s", "rate: unlimited", 1), "publish_rate>=90/s", ""},
		{"consume percent, mixed confirms", strings.Replace(thresholdBase, "consumers:", "  - {exchange: \"\", routing_key: t.q, rate: 10/s}\nconsumers:", 1), "consume_rate>=99%", "only some publisher groups confirm"},
		{"consume percent, confirms", thresholdBase, "consume_rate>=99%", ""},
		{"publish rate without publishers", consumersOnly, "publish_rate>=1/s", "no publishers"},
		{"e2e without publishers", consumersOnly, "e2e_p99<1s", "no publishers"},
		{"send delay without publishers", consumersOnly, "send_delay_p99<1s", "no publishers"},
		{"count percent without publishers", consumersOnly, "lost<=1%", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(strings.NewReader(tt.scenario), "t.yaml")
			if err != nil {
				t.Fatal(err)
			}
			th, err := ParseThreshold(tt.threshold)
			if err != nil {
				t.Fatal(err)
			}
			err = s.CheckThreshold(th)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want %q", err, tt.want)
			}
			// Validate says the same, at the threshold's line.
			s.Thresholds = []Threshold{th}
			verr := s.Validate()
			if (tt.want == "") != (verr == nil) {
				t.Errorf("Validate: %v", verr)
			}
		})
	}
}

func noConsumers(src string) string {
	return strings.Replace(src, "consumers:\n  - queue: t.q\n", "", 1)
}

const consumersOnly = `name: t
topology:
  queues: [{name: t.q}]
consumers:
  - queue: t.q
run:
  duration: 10s
`

func TestValidateLocatesThresholdProblems(t *testing.T) {
	src := strings.Replace(thresholdBase, "  - publish_rate>=99%\n", "  - publish_rate>=99%\n  - confirm_p99<1ms\n", 1)
	src = strings.Replace(src, "confirm: true, ", "", 1)
	got := problemsOf(t, src)
	want := "t.yaml:14:5: thresholds[3]: confirm_p99<1ms: no publisher group asks for confirms"
	if len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("problems %q, want one starting %q", got, want)
	}
}

func TestDefaultThresholds(t *testing.T) {
	load := func(src string) *Scenario {
		s, err := Load(strings.NewReader(src), "t.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := load(thresholdBase)
	s.Thresholds = nil
	if d := s.DefaultThresholds(); len(d) != 1 || d[0].String() != "lost==0" {
		t.Errorf("defaults = %v, want lost==0", d)
	}
	// The scenario's own threshold on lost replaces the default.
	s.Thresholds = []Threshold{mustThreshold(t, "lost<=0.1%")}
	if d := s.DefaultThresholds(); len(d) != 0 {
		t.Errorf("defaults with lost<=0.1%% = %v, want none", d)
	}
	s.Thresholds = []Threshold{mustThreshold(t, "e2e_p99<1s")}
	if d := s.DefaultThresholds(); len(d) != 1 {
		t.Errorf("defaults with a latency threshold = %v, want lost==0", d)
	}
	// Without confirms nothing was promised; without consumers nothing is
	// accounted for.
	if d := load(strings.Replace(thresholdBase, "confirm: true, ", "", 1)).DefaultThresholds(); len(d) != 0 {
		t.Errorf("defaults without confirms = %v", d)
	}
	if d := load(noConsumers(thresholdBase)).DefaultThresholds(); len(d) != 0 {
		t.Errorf("defaults without consumers = %v", d)
	}
}

func mustThreshold(t *testing.T, s string) Threshold {
	t.Helper()
	th, err := ParseThreshold(s)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// FuzzParseThreshold: any input either fails with a message or parses to a
// threshold whose canonical form parses back to itself.
func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"e2e_p99<50ms", "confirm_p999<=200ms", "lost==0", "publish_rate>=99%",
		"consume_rate>=900/s", "duplicated<=0.1%", "e2e_actual_max!=1h", "send_delay_p5>1us", "x=<y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		again, err := ParseThreshold(th.String())
		if err != nil {
			t.Fatalf("%q parses, its canonical form %q does not: %v", s, th.String(), err)
		}
		if again.String() != th.String() {
			t.Fatalf("%q: canonical %q re-reads as %q", s, th.String(), again.String())
		}
	})
}
