package sizing

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// close reports whether got is want to nine significant digits.
func closeTo(got, want float64) bool {
	if math.IsInf(want, 0) {
		return got == want
	}
	return math.Abs(got-want) <= 1e-9*math.Max(1, math.Abs(want))
}

// Every expected value below is worked out by hand in the comment next to
// it, from the inputs and the default constants (656 B per classic message,
// 11,664 B per empty classic queue, 115 B per quorum message, 100 kB per
// connection, 22 kB per channel, 166 MB idle baseline, 100 B disk overhead,
// 40 idle file descriptors, frame_max 131,072).
func TestCompute(t *testing.T) {
	tests := []struct {
		name     string
		in       Input
		want     map[string]float64
		text     map[string]string
		absent   []string
		warnings []string // substrings, in order
	}{
		{
			name: "napkin: 500 msg/s of 1 KB, 10 s backlog, classic, confirms",
			in:   Input{Rate: 500, BodyBytes: 1000, Backlog: 10 * time.Second, Confirms: true},
			want: map[string]float64{
				"queue_rate":          500,
				"messages":            5000,      // 500 × 10
				"payload":             5_000_000, // 5,000 × 1,000
				"queue_memory":        3_291_664, // 11,664 + 5,000 × 656
				"bodies_ram":          5_000_000, // 5,000 × (1,000 + 0)
				"backlog_ram":         8_291_664, // 3,291,664 + 5,000,000
				"consumers_per_queue": 7,         // ⌈500 × 0.01 ÷ 0.8⌉ = ⌈6.25⌉
				"drain_after_peak":    5000.0 / 700,
				"drain_at_peak":       25,      // 5,000 ÷ (700 − 500)
				"prefetch":            4,       // 2 × ⌈(1 + 10) ÷ 10⌉
				"unacked":             28,      // 7 × 4
				"unacked_ram":         46_368,  // 28 × (656 + 1,000)
				"connections_ram":     800_000, // (7 + 1) × 100 kB
				"channels_ram":        176_000, // 8 × 22 kB
				"baseline_ram":        166e6,
				// 3,291,664 + 5,000,000 + 46,368 + 800,000 + 176,000 + 166,000,000
				"ram_needed":       175_314_032,
				"node_ram":         175_314_032 / 0.4 * 1.5,
				"max_length":       5000,
				"max_length_bytes": 5_000_000,
				"message_ttl":      10_000,
				"disk_write_rate":  0,
				"disk_free_limit":  175_314_032 / 0.4 * 1.5,
				"disk":             175_314_032 / 0.4 * 1.5, // nothing persisted
				"publish_bytes":    1047,                    // (17 + 0 + 0) + (22 + 0) + (1,000 + 8)
				"deliver_bytes":    1085,                    // (24 + 31 + 0 + 0) + (22 + 0) + (1,000 + 8)
				"ack_bytes":        21,
				"network_in":       4.272, // 500 × (1,047 + 21) × 8 ÷ 10⁶
				"network_out":      4.424, // 500 × (1,085 + 21) × 8 ÷ 10⁶
				// ⌊(175,314,032 × 1.5 − (175,314,032 − 5,000 × 1,656)) ÷ 1,656⌋
				// = ⌊57,932.98⌋ messages, ÷ 500 msg/s
				"backlog_capacity": 57_932.0 / 500,
				"sockets":          8,
				"fds":              48,
				"fd_limit":         50_000,
			},
			text:   map[string]string{"overflow": "reject-publish"},
			absent: []string{"messages_total", "payload_total", "consumers", "wal_ram", "replication", "disk_backlog", "memory_limit"},
		},
		{
			name: "quorum, 3 replicas, fan-out 2 over 4 queues, count backlog, no confirms, 4.x",
			in: Input{
				Rate: 1000, BodyBytes: 4096, PropertiesBytes: 100, BacklogMessages: 20_000,
				Queues: 4, FanOut: 2, QueueType: Quorum, Replicas: 3, Persistent: true,
				ProcessingTime: 50 * time.Millisecond, RTT: 10 * time.Millisecond, Utilisation: 0.5,
				Connections: 10, Channels: 40, Headroom: 2, BrokerRAM: 2e9, Version: "4.1",
				Exchange: "orders", RoutingKey: "eu.created", ConsumerTagBytes: 20,
			},
			want: map[string]float64{
				"queue_rate":          500, // 1,000 × 2 ÷ 4
				"messages":            20_000,
				"messages_total":      80_000,
				"payload":             81_920_000,  // 20,000 × 4,096
				"payload_total":       327_680_000, // × 4
				"consumers_per_queue": 50,          // ⌈500 × 0.05 ÷ 0.5⌉
				"consumers":           200,
				"drain_after_peak":    20, // 20,000 ÷ (50 ÷ 0.05)
				"drain_at_peak":       40, // 20,000 ÷ (1,000 − 500)
				"prefetch":            4,  // 2 × ⌈(10 + 50) ÷ 50⌉
				"unacked":             800,
				"queue_memory":        2_300_000, // 0 + 20,000 × 115
				"backlog_ram":         9_200_000, // × 4 queues
				"wal_ram":             512 << 20,
				"unacked_ram":         3_449_600, // 800 × (115 + 4,096 + 101)
				"connections_ram":     1_000_000,
				"channels_ram":        880_000,
				// 9,200,000 + 536,870,912 + 3,449,600 + 1,000,000 + 880,000 + 166,000,000
				"ram_needed":       717_400_512,
				"node_ram":         717_400_512 / 0.6 * 2,
				"memory_limit":     1.2e9,
				"max_length":       20_000,
				"max_length_bytes": 81_920_000,
				"disk_write_rate":  17_188_000,                // 1,000 × 2 × (4,096 + 101 + 100) × 2
				"disk_backlog":     343_760_000 + 536_870_912, // 80,000 × 4,297 + WAL
				"disk_free_limit":  717_400_512 / 0.6 * 2,
				"disk":             (343_760_000+536_870_912)*2 + 717_400_512/0.6*2,
				"publish_bytes":    4260,    // (17 + 6 + 10) + (22 + 101) + (4,096 + 8)
				"deliver_bytes":    4287,    // (24 + 20 + 6 + 10) + (22 + 101) + (4,096 + 8)
				"network_in":       34.416,  // 1,000 × (4,260 + 2 × 21) × 8 ÷ 10⁶
				"network_out":      68.592,  // 1,000 × (2 × 4,287 + 0) × 8 ÷ 10⁶
				"replication":      134.304, // 1,000 × 2 × 2 × (4,096 + 101) × 8 ÷ 10⁶
				// ⌊(1.2 GB − (717,400,512 − 80,000 × 115)) ÷ (4 × 115)⌋ =
				// ⌊1,069,129.3⌋ messages per queue, ÷ 500 msg/s
				"backlog_capacity": 1_069_129.0 / 500,
				"sockets":          10,
				"fds":              50,
			},
			text:   map[string]string{"overflow": "drop-head"},
			absent: []string{"bodies_ram", "message_ttl"},
			warnings: []string{
				"the node's 1.9 GiB of RAM is less than the 2.2 GiB to provision",
				"publishers do not use confirms",
			},
		},
		{
			name: "zero backlog",
			in:   Input{Rate: 100, BodyBytes: 512, Confirms: true},
			want: map[string]float64{
				"messages":            0,
				"payload":             0,
				"queue_memory":        11_664,
				"bodies_ram":          0,
				"consumers_per_queue": 2, // ⌈100 × 0.01 ÷ 0.8⌉ = ⌈1.25⌉
				"drain_after_peak":    0,
				"drain_at_peak":       0,
			},
			text:     map[string]string{"max_length": "none"},
			absent:   []string{"max_length_bytes", "overflow", "message_ttl"},
			warnings: []string{"the backlog target is zero"},
		},
		{
			name: "message larger than frame_max: three body frames",
			in:   Input{Rate: 10, BodyBytes: 300_000, Backlog: time.Second, Confirms: true},
			want: map[string]float64{
				"messages": 10,
				// 300,000 ÷ 131,064 → 3 frames: (17) + (22) + (300,000 + 24)
				"publish_bytes": 300_063,
				"deliver_bytes": 300_101, // (24 + 31) + (22) + (300,000 + 24)
			},
		},
		{
			name: "backlog trips the memory alarm",
			in:   Input{Rate: 1000, BodyBytes: 10_000, Backlog: time.Minute, Confirms: true, BrokerRAM: 1e9},
			want: map[string]float64{
				"messages":     60_000,
				"queue_memory": 39_371_664, // 11,664 + 60,000 × 656
				"bodies_ram":   600_000_000,
				"memory_limit": 400_000_000, // 1 GB × 0.4
			},
			warnings: []string{"the backlog would trip the memory alarm"},
		},
		{
			name: "classic queues page before the alarm on 3.10",
			// 100,000 messages × 1,000 B = 100 MB bodies + 65.6 MB queue
			// + 166 MB baseline ≈ 333 MB: above half of the 480 MB limit
			// (1.2 GB × 0.4), below the limit.
			in: Input{Rate: 1000, BodyBytes: 1000, Backlog: 100 * time.Second, Confirms: true, BrokerRAM: 1.2e9, Version: "3.10.8"},
			want: map[string]float64{
				"messages":     100_000,
				"memory_limit": 480e6,
			},
			// 333.4 MB ÷ 0.4 × 1.5 = 1.25 GB (1.2 GiB) to provision, above the
			// 1.2 GB (1.1 GiB) given.
			warnings: []string{"classic queues would page messages to disk", "the node's 1.1 GiB of RAM is less than the 1.2 GiB to provision"},
		},
		{
			name: "stream: retention instead of length limits",
			in:   Input{Rate: 200, BodyBytes: 2000, Backlog: 90 * time.Second, QueueType: Stream, Confirms: true},
			want: map[string]float64{
				"messages":         18_000,
				"queue_memory":     0,
				"backlog_ram":      0,
				"max_length_bytes": 36_000_000,
				"disk_backlog":     18_000 * 2100,
				"disk_write_rate":  200 * 2100,
				"replication":      6.4, // 200 × 1 × 2 × 2,000 × 8 ÷ 10⁶
			},
			text:   map[string]string{"max_age": "90s"},
			absent: []string{"max_length", "overflow", "wal_ram", "bodies_ram", "backlog_capacity"},
		},
		{
			name: "processing fast against the round trip: prefetch capped",
			in:   Input{Rate: 100, BodyBytes: 100, Backlog: time.Second, Confirms: true, ProcessingTime: 100 * time.Microsecond, RTT: 50 * time.Millisecond},
			want: map[string]float64{
				"consumers_per_queue": 1,   // ⌈100 × 0.0001 ÷ 0.8⌉
				"prefetch":            300, // min(2 × ⌈50.1 ÷ 0.1⌉ = 1,002, 300)
			},
		},
		{
			name: "utilisation 1: the backlog never drains at peak",
			in:   Input{Rate: 100, BodyBytes: 100, Backlog: time.Second, Confirms: true, Utilisation: 1},
			want: map[string]float64{
				"consumers_per_queue": 1, // ⌈100 × 0.01 ÷ 1⌉
				"drain_at_peak":       math.Inf(1),
			},
			warnings: []string{"no spare capacity"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compute(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			for key, want := range tt.want {
				l, ok := p.Line(key)
				if !ok {
					t.Errorf("no line %q", key)
					continue
				}
				if !closeTo(l.Value, want) {
					t.Errorf("%s = %v, want %v (%s)", key, l.Value, want, l.Formula)
				}
			}
			for key, want := range tt.text {
				if l, ok := p.Line(key); !ok || l.Text != want {
					t.Errorf("%s = %q, want %q", key, l.Text, want)
				}
			}
			for _, key := range tt.absent {
				if _, ok := p.Line(key); ok {
					t.Errorf("line %q should be absent", key)
				}
			}
			j := 0
			for _, w := range p.Warnings {
				if j < len(tt.warnings) && strings.Contains(w, tt.warnings[j]) {
					j++
				}
			}
			if j < len(tt.warnings) || len(p.Warnings) != len(tt.warnings) {
				t.Errorf("warnings %q, want ones containing %q", p.Warnings, tt.warnings)
			}
			for _, l := range p.Lines {
				if l.Formula == "" || l.Name == "" || l.Section == "" {
					t.Errorf("line %q lacks a name, section or formula: %+v", l.Key, l)
				}
			}
		})
	}
}

func TestComputeShowsItsWorking(t *testing.T) {
	p, err := Compute(Input{Rate: 500, BodyBytes: 1000, Backlog: 10 * time.Second, Confirms: true})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"messages":     "⌈500 msg/s × 10 s⌉",
		"payload":      "messages × body = 5,000 × 1,000 B",
		"queue_memory": "11.4 KiB + 5,000 × 656 B",
		"node_ram":     "RAM needed ÷ high watermark × headroom = 167.2 MiB ÷ 0.4 × 1.5",
		"prefetch":     "min(2 × ⌈(1 ms + 10 ms) ÷ 10 ms⌉, 300)",
	} {
		l, _ := p.Line(key)
		if !strings.Contains(l.Formula, want) {
			t.Errorf("%s formula %q lacks %q", key, l.Formula, want)
		}
	}
	for key, want := range map[string]string{"messages": "5,000 messages", "payload": "4.8 MiB", "node_ram": "627.0 MiB", "network_in": "4.27 Mbit/s"} {
		if l, _ := p.Line(key); l.Display() != want {
			t.Errorf("%s displays %q, want %q", key, l.Display(), want)
		}
	}
	if got := p.Sections(); !slices.Equal(got, []string{SectionBacklog, SectionThroughput, SectionMemory, SectionLimits, SectionConsumers, SectionDisk, SectionNetwork, SectionDescriptors}) {
		t.Errorf("sections %q", got)
	}
	if !slices.Contains(p.Assumed, "consumer processing time 10 ms per message") {
		t.Errorf("assumed %q lacks the default processing time", p.Assumed)
	}
	if l, _ := p.Line("node_ram"); len(l.Assumptions) == 0 || !strings.Contains(l.Assumptions[0], "0.4") {
		t.Errorf("node_ram assumptions %q do not name the watermark", l.Assumptions)
	}
}

func TestComputeRejectsBadInput(t *testing.T) {
	_, err := Compute(Input{Rate: 0, BodyBytes: -1, Queues: 2, FanOut: 3, Utilisation: 1.5, QueueType: "lazy", Headroom: 0.5})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"rate:", "body_bytes:", "fan_out:", "utilisation:", "queue_type:", "headroom:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := Compute(Input{Rate: 1, Replicas: 3}); err == nil || !strings.Contains(err.Error(), "classic queue has no replicas") {
		t.Errorf("classic with replicas: %v", err)
	}
	c := DefaultConstants("")
	c.HighWatermark.Value = 0
	if _, err := Compute(Input{Rate: 1, Constants: &c}); err == nil || !strings.Contains(err.Error(), "high_watermark") {
		t.Errorf("zero watermark: %v", err)
	}
}

func TestSettings(t *testing.T) {
	p, err := Compute(Input{Rate: 500, BodyBytes: 1000, Backlog: 10 * time.Second, Confirms: true, Persistent: true})
	if err != nil {
		t.Fatal(err)
	}
	s := p.Settings
	want := []Argument{
		{"x-max-length", int64(5000)},
		{"x-max-length-bytes", int64(5_000_000)},
		{"x-overflow", "reject-publish"},
		{"x-message-ttl", int64(10_000)},
		{"x-dead-letter-exchange", "my-queue.dlx"},
	}
	if !slices.Equal(s.Arguments, want) {
		t.Errorf("arguments %v, want %v", s.Arguments, want)
	}
	if !s.Durable || !s.Persistent || !s.Confirms || s.Prefetch != 4 || s.Heartbeat != 20*time.Second {
		t.Errorf("settings %+v", s)
	}

	p, err = Compute(Input{Rate: 200, BodyBytes: 2000, Backlog: time.Hour, QueueType: Stream, Confirms: true})
	if err != nil {
		t.Fatal(err)
	}
	want = []Argument{{"x-queue-type", "stream"}, {"x-max-length-bytes", int64(720_000 * 2000)}, {"x-max-age", "1h"}}
	if !slices.Equal(p.Settings.Arguments, want) || !p.Settings.Durable {
		t.Errorf("stream settings %+v, want arguments %v", p.Settings, want)
	}
}

func TestMaxAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		10 * time.Second:        "10s",
		1500 * time.Millisecond: "2s",
		time.Minute:             "1m",
		2 * time.Hour:           "2h",
		48 * time.Hour:          "2D",
		90 * time.Minute:        "90m",
	} {
		if got := maxAge(d); got != want {
			t.Errorf("maxAge(%s) = %q, want %q", d, got, want)
		}
	}
}

// One queue is one Erlang process: a plan that asks one queue for more than
// it sustains warns, and says how many queues would carry the rate and how
// to spread the traffic over them.
func TestComputeKnowsAQueuesCeiling(t *testing.T) {
	measured := DefaultConstants("")
	measured.ClassicQueueRate = Constant{Value: 50000, Source: "calibrated on the test broker: warren capacity", Calibrated: true}
	tests := []struct {
		name        string
		in          Input
		ceiling     float64
		queues      float64
		warnings    []string // substrings of the one warning; none when empty
		notWarnings []string
	}{
		{"100,000 msg/s of 1 KiB on one classic queue", Input{Rate: 100000, BodyBytes: 1024, Backlog: 10 * time.Second, Confirms: true},
			20000, 7, // ⌈100,000 ÷ (20,000 × 0.8)⌉ = ⌈6.25⌉
			[]string{"the queue would take 100,000 msg/s, more than one classic queue sustains (20,000 msg/s, a planning figure",
				"spread the traffic over 7 queues, then plan again with --queues 7",
				"consistent-hash exchange", "7 routing keys"},
			[]string{"in all"}},
		{"500 msg/s fits one queue", Input{Rate: 500, BodyBytes: 1024, Backlog: 10 * time.Second, Confirms: true},
			20000, 1, nil, nil},
		{"the plan's queues share the rate", Input{Rate: 100000, BodyBytes: 1024, Backlog: 10 * time.Second, Confirms: true, Queues: 10},
			20000, 10, nil, nil}, // 10,000 a queue
		{"fan-out multiplies what each queue takes", Input{Rate: 30000, BodyBytes: 1024, Backlog: 10 * time.Second, Confirms: true, Queues: 2, FanOut: 2},
			20000, 4, // 30,000 × 2 ÷ 2 = 30,000 a queue: 2 × ⌈30,000 ÷ 16,000⌉
			[]string{"each of the 2 queues would take 30,000 msg/s", "spread each queue's traffic over 2 queues (4 in all), then plan again with --queues 4"}, nil},
		{"quorum queues sustain less", Input{Rate: 20000, BodyBytes: 1024, Backlog: 10 * time.Second, Confirms: true, QueueType: Quorum},
			10000, 3, // ⌈20,000 ÷ 8,000⌉
			[]string{"more than one quorum queue sustains (10,000 msg/s"}, nil},
		{"a stream spreads as a super stream", Input{Rate: 100000, BodyBytes: 1024, Backlog: 10 * time.Second, Confirms: true, QueueType: Stream},
			30000, 5, // ⌈100,000 ÷ 24,000⌉
			[]string{"more than one stream sustains", "super stream of 5 partitions"}, []string{"routing keys of a direct exchange"}},
		{"a measured ceiling", Input{Rate: 100000, BodyBytes: 1024, Backlog: 10 * time.Second, Confirms: true, Constants: &measured},
			50000, 3, // ⌈100,000 ÷ 40,000⌉
			[]string{"(50,000 msg/s, as measured)"}, []string{"planning figure"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compute(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Value("queue_ceiling"); got != tt.ceiling {
				t.Errorf("queue_ceiling %v, want %v", got, tt.ceiling)
			}
			if got := p.Value("queues_for_rate"); got != tt.queues {
				t.Errorf("queues_for_rate %v, want %v", got, tt.queues)
			}
			var warning string
			for _, w := range p.Warnings {
				if strings.Contains(w, "sustains") {
					warning = w
				}
			}
			if (warning != "") != (len(tt.warnings) > 0) {
				t.Fatalf("warning %q, want one saying %q", warning, tt.warnings)
			}
			for _, want := range tt.warnings {
				if !strings.Contains(warning, want) {
					t.Errorf("warning %q lacks %q", warning, want)
				}
			}
			for _, not := range tt.notWarnings {
				if strings.Contains(warning, not) {
					t.Errorf("warning %q says %q", warning, not)
				}
			}
		})
	}
}
