package selfbench

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/warrenmq/warren/internal/stats"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// Schema names the format of the file warren bench writes.
const Schema = "warren.bench/v1"

// BodyNote says how the small cases carry warren's stamp.
const BodyNote = "(a), (b) and (d) send 12-byte bodies, as the reference tool did; warren's 40-byte stamp " +
	"(publisher, sequence number, intended and actual send time), which makes exact accounting and open-loop latency possible, " +
	"travels in an x-warren-stamp header for bodies shorter than it: about 64 bytes more per message on the wire"

// File is what warren bench writes to --out, and reads with --baseline.
type File struct {
	Schema        string             `json:"schema"`
	StartedAt     time.Time          `json:"started_at"`
	Elapsed       scenarios.Duration `json:"elapsed"`
	WarrenVersion string             `json:"warren_version"`
	GoVersion     string             `json:"go_version"`
	OS            string             `json:"os"`
	Arch          string             `json:"arch"`
	CPUs          int                `json:"cpus"`
	// GoMaxProcs is how many threads ran warren's Go code at once.
	GoMaxProcs int `json:"gomaxprocs,omitempty"`
	// QuietSysmon is whether the runtime's monitor was kept out of its deep
	// sleep (see sysmon.go).
	QuietSysmon bool   `json:"quiet_sysmon"`
	BrokerURI   string `json:"broker_uri"`
	Broker      string `json:"broker,omitempty"`
	// Duration is each case's publishing time; Repeat how many times each
	// case ran (the figures of a case are the medians).
	Duration scenarios.Duration `json:"duration"`
	Repeat   int                `json:"repeat"`
	// Load averages (1, 5, 15 min) of the machine before and after, from
	// /proc/loadavg: other work on the machine takes cores from the broker
	// and from warren.
	LoadBefore []float64 `json:"load_average_before,omitempty"`
	LoadAfter  []float64 `json:"load_average_after,omitempty"`
	// CPUProbe is how long this machine took, in ns, for one turn of a
	// fixed loop of warren's own work (write a stamp, read it back), best
	// of several tries: two bench files from different machines compare
	// only after allowing for the ratio of their probes.
	CPUProbe float64      `json:"cpu_probe_ns,omitempty"`
	Note     string       `json:"note"`
	Cases    []CaseResult `json:"cases"`
}

// CaseResult is one case: every run and their medians.
type CaseResult struct {
	Case          string    `json:"case"`
	Description   string    `json:"description"`
	Publishers    int       `json:"publishers"`
	Consumers     int       `json:"consumers"`
	BodyBytes     int64     `json:"body_bytes"`
	Durable       bool      `json:"durable"`
	Rate          float64   `json:"rate"` // msg/s asked for; 0 unlimited
	ConfirmWindow int       `json:"confirm_window"`
	Prefetch      int       `json:"prefetch"`
	Median        Figures   `json:"median"`
	Runs          []Figures `json:"runs"`
	Reference     Reference `json:"reference"`
	Target        Target    `json:"target"`
	// CPUTargetMet and RateTargetMet judge the medians against Target
	// (RateTargetMet is absent without a throughput target).
	CPUTargetMet  bool  `json:"cpu_target_met"`
	RateTargetMet *bool `json:"rate_target_met,omitempty"`
}

// Latency holds percentiles in µs.
type Latency struct {
	P50  int64 `json:"p50_us"`
	P99  int64 `json:"p99_us"`
	P999 int64 `json:"p99_9_us"`
}

// Figures is what one run of a case measured (or the medians of
// several runs).
type Figures struct {
	RunID       string  `json:"run_id,omitempty"`
	Published   int64   `json:"published"`
	Consumed    int64   `json:"consumed"`
	PublishRate float64 `json:"publish_rate"`
	ConsumeRate float64 `json:"consume_rate"`
	// EndToEnd is from the intended send time (at unlimited rate that is
	// the actual send).
	EndToEnd         Latency `json:"end_to_end"`
	Confirm          Latency `json:"confirm"`
	CPUUserSeconds   float64 `json:"cpu_user_s"`
	CPUSystemSeconds float64 `json:"cpu_system_s"`
	// CPUPerMessage is warren's user+system CPU µs per message published
	// (its consuming included): the figure the reference tool reports.
	CPUPerMessage float64 `json:"cpu_us_per_msg"`
	// AllocsPerMessage is heap objects allocated per message published, by
	// the whole process (its consuming included). warren's own per-message
	// code allocates none (make bench's first part), so this is the client
	// library's.
	AllocsPerMessage float64 `json:"allocs_per_msg"`
	// SendDelay is how late the publishers were against their schedule.
	SendDelay Latency `json:"send_delay"`
	// CoreShare is CPU time over wall time (1.0 is one whole core).
	CoreShare   float64  `json:"core_share"`
	MaxRSSBytes int64    `json:"max_rss_bytes"`
	Lost        int64    `json:"lost"`
	Duplicated  int64    `json:"duplicated"`
	Warnings    []string `json:"warnings,omitempty"`
}

// figuresOf extracts a run's figures. CPU per message is per message
// published, as the reference tool reports it (Generator.CPUPerMessage
// divides by published and consumed).
func figuresOf(res *results.Result) Figures {
	g := res.Generator
	f := Figures{
		RunID:            res.ID,
		Published:        res.Summary.Published,
		Consumed:         res.Summary.Consumed,
		PublishRate:      res.Summary.PublishRate,
		ConsumeRate:      res.Summary.ConsumeRate,
		EndToEnd:         latencyOf(res.Latency[results.MetricEndToEnd]),
		Confirm:          latencyOf(res.Latency[results.MetricConfirm]),
		SendDelay:        latencyOf(res.Latency[results.MetricSendDelay]),
		CPUUserSeconds:   g.CPUUserSeconds,
		CPUSystemSeconds: g.CPUSystemSeconds,
		CoreShare:        g.CoreShare,
		MaxRSSBytes:      g.MaxRSSBytes,
		Lost:             res.Integrity.Lost,
		Duplicated:       res.Integrity.Duplicated,
		Warnings:         res.Warnings,
	}
	if res.Summary.Published > 0 {
		f.CPUPerMessage = (g.CPUUserSeconds + g.CPUSystemSeconds) * 1e6 / float64(res.Summary.Published)
		f.AllocsPerMessage = float64(g.Allocations) / float64(res.Summary.Published)
	}
	return f
}

func latencyOf(l results.LatencySummary) Latency {
	return Latency{P50: l.P50, P99: l.P99, P999: l.P999}
}

// medianFigures takes each figure's median over the runs independently (as
// the reference's "medians of 5 runs" are).
func medianFigures(runs []Figures) Figures {
	if len(runs) == 1 {
		m := runs[0]
		m.RunID = ""
		return m
	}
	f := func(get func(Figures) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = get(r)
		}
		return stats.Median(v)
	}
	i := func(get func(Figures) int64) int64 {
		return int64(math.Round(f(func(r Figures) float64 { return float64(get(r)) })))
	}
	lat := func(get func(Figures) Latency) Latency {
		return Latency{
			P50:  i(func(r Figures) int64 { return get(r).P50 }),
			P99:  i(func(r Figures) int64 { return get(r).P99 }),
			P999: i(func(r Figures) int64 { return get(r).P999 }),
		}
	}
	return Figures{
		Published:        i(func(r Figures) int64 { return r.Published }),
		Consumed:         i(func(r Figures) int64 { return r.Consumed }),
		PublishRate:      f(func(r Figures) float64 { return r.PublishRate }),
		ConsumeRate:      f(func(r Figures) float64 { return r.ConsumeRate }),
		EndToEnd:         lat(func(r Figures) Latency { return r.EndToEnd }),
		Confirm:          lat(func(r Figures) Latency { return r.Confirm }),
		SendDelay:        lat(func(r Figures) Latency { return r.SendDelay }),
		CPUUserSeconds:   f(func(r Figures) float64 { return r.CPUUserSeconds }),
		CPUSystemSeconds: f(func(r Figures) float64 { return r.CPUSystemSeconds }),
		CPUPerMessage:    f(func(r Figures) float64 { return r.CPUPerMessage }),
		AllocsPerMessage: f(func(r Figures) float64 { return r.AllocsPerMessage }),
		CoreShare:        f(func(r Figures) float64 { return r.CoreShare }),
		MaxRSSBytes:      i(func(r Figures) int64 { return r.MaxRSSBytes }),
		Lost:             i(func(r Figures) int64 { return r.Lost }),
		Duplicated:       i(func(r Figures) int64 { return r.Duplicated }),
	}
}

// WriteFile writes the results atomically.
func (bf *File) WriteFile(path string) error { return results.WriteJSONFile(path, bf) }

// ReadFile reads a file warren bench wrote.
func ReadFile(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var bf File
	if err := json.Unmarshal(data, &bf); err != nil {
		return nil, fmt.Errorf("%s: not a warren bench file: %w", path, err)
	}
	if bf.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q: not a file warren bench wrote", path, bf.Schema, Schema)
	}
	return &bf, nil
}
