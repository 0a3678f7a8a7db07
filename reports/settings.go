package reports

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// keySettings sums up, in one line, the settings that move the figures
// most: exchange type, queue type, prefetch, confirm window, message size
// and persistence. A setting that differs between groups lists each value.
func keySettings(sc *scenarios.Scenario) string {
	var parts []string

	// Exchange types the publishers send to.
	types := map[string]string{}
	for _, e := range sc.Topology.Exchanges {
		types[e.Name] = e.Type
	}
	var exch []string
	for _, p := range sc.Publishers {
		t, ok := types[p.Exchange]
		switch {
		case p.Exchange == "":
			t = "default"
		case !ok || t == "":
			t = "undeclared"
		}
		exch = appendNew(exch, t)
	}
	if len(exch) > 0 {
		parts = append(parts, strings.Join(exch, " and ")+" exchange")
	}

	// Queue types, counted.
	var qtypes []string
	count := map[string]int{}
	for _, q := range sc.Topology.Queues {
		t := q.Type
		if t == "" {
			t = scenarios.QueueClassic
		}
		qtypes = appendNew(qtypes, t)
		count[t]++
	}
	if len(qtypes) > 0 {
		q := make([]string, len(qtypes))
		for i, t := range qtypes {
			q[i] = fmt.Sprintf("%d %s queue", count[t], t)
			if count[t] != 1 {
				q[i] += "s"
			}
		}
		parts = append(parts, strings.Join(q, " and "))
	}

	if len(sc.Consumers) > 0 {
		var pf []int
		for _, c := range sc.Consumers {
			if !slices.Contains(pf, c.Prefetch) {
				pf = append(pf, c.Prefetch)
			}
		}
		slices.Sort(pf)
		texts := make([]string, len(pf))
		for i, v := range pf {
			texts[i] = textfmt.Count(int64(v))
			if v == 0 {
				texts[i] = "unlimited"
			}
		}
		parts = append(parts, "prefetch "+strings.Join(texts, ", "))
	} else {
		parts = append(parts, "no consumers")
	}

	if len(sc.Publishers) > 0 {
		var windows []string
		var sizes []string
		var persistence []string
		for _, p := range sc.Publishers {
			w := "none"
			if p.Confirm {
				w = textfmt.Count(int64(p.ConfirmWindow))
			}
			windows = appendNew(windows, w)
			size := p.Size.String()
			if p.SizeDistribution != nil {
				size = p.SizeDistribution.String()
			}
			sizes = appendNew(sizes, size)
			if p.Persistent {
				persistence = appendNew(persistence, "persistent")
			} else {
				persistence = appendNew(persistence, "transient")
			}
		}
		if len(windows) == 1 && windows[0] == "none" {
			parts = append(parts, "no publisher confirms")
		} else {
			parts = append(parts, "confirm window "+strings.Join(windows, ", "))
		}
		parts = append(parts, textfmt.EscapeMarkdown(strings.Join(sizes, ", "))+" messages")
		parts = append(parts, strings.Join(persistence, " and "))
	}
	return strings.Join(parts, "; ")
}

// appendNew appends v unless list has it already, keeping first-seen order.
func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// generatorLine says what the run cost warren, so a reader can tell
// whether the generator rather than the broker was the limit. It is empty
// for results that did not measure it.
func generatorLine(g results.Generator, cpus int) string {
	if g.CoreShare == 0 && g.CPUPerMessage == 0 && g.MaxRSSBytes == 0 {
		return ""
	}
	share := strconv.FormatFloat(g.CoreShare, 'f', 2, 64) + " of a CPU core"
	if cpus > 0 {
		share += fmt.Sprintf(" (the machine has %d)", cpus)
	}
	parts := []string{share}
	if g.CPUPerMessage > 0 {
		parts = append(parts, formatSignificant(g.CPUPerMessage)+" µs of CPU per message")
	}
	if g.MaxRSSBytes > 0 {
		parts = append(parts, "max RSS "+textfmt.Bytes(g.MaxRSSBytes))
	}
	return strings.Join(parts, ", ")
}

// formatSignificant formats a positive number with three significant
// digits, as whole numbers from 100 up: "0.412", "12.3", "1,204".
func formatSignificant(v float64) string {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return "0"
	}
	if v >= 99.95 {
		return textfmt.Thousands(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	}
	e := int(math.Floor(math.Log10(v)))
	dec := max(2-e, 0)
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if r, _ := strconv.ParseFloat(s, 64); r >= math.Pow10(e+1) && dec > 0 {
		s = strconv.FormatFloat(v, 'f', dec-1, 64)
	}
	return s
}
