package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/scenarios"
)

func routeCmd(_ context.Context, c *cli, args []string) int {
	fs := newFlags(c, "route",
		"route FILE|NAME --exchange X [--key K] [--header k=v ...] [--variant V] [--verbose]\n\n"+
			"Tells which queues a message would reach under the scenario's topology, and\n"+
			"why: the binding that matched (exact key, * and # patterns, fanout, headers\n"+
			"with x-match all or any), exchange-to-exchange bindings and alternate\n"+
			"exchanges followed. Exits 0 when the message reaches a queue, 1 when it is\n"+
			"unroutable or the broker would refuse it, 2 on bad input.",
		"warren route greenhouse --exchange greenhouse.telemetry --key greenhouse.zone1.temperature\n"+
			"warren route headers-routing --exchange headers-routing.documents --header format=pdf --header type=report")
	exchange := fs.StringP("exchange", "e", "", "exchange to publish to (\"\" is the default exchange; default: the one all publishers use)")
	key := fs.StringP("key", "k", "", "routing key")
	headers := fs.StringArrayP("header", "H", nil, "message header as name=value (repeat for several)")
	variant := fs.String("variant", "", "route under this sweep variant's topology (see 'warren validate')")
	verbose := fs.BoolP("verbose", "v", false, "also show the bindings that did not match")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		return fail(c, "route", exitBadInput, "give one scenario file or built-in name, then --exchange and --key: see 'warren route --help'")
	}
	s, err := scenarios.Resolve(fs.Arg(0))
	if err != nil {
		printProblems(c, "route", err)
		return exitBadInput
	}
	if *variant != "" {
		variants, err := s.Expand()
		if err != nil {
			printProblems(c, "route", err)
			return exitBadInput
		}
		var names []string
		found := false
		for _, v := range variants {
			names = append(names, v.Name)
			if v.Name == *variant || v.Params["variant"] == *variant {
				s, found = v.Scenario, true
				break
			}
		}
		if !found {
			return fail(c, "route", exitBadInput, "no variant %q in %s: choose one of %s", *variant, fs.Arg(0), strings.Join(names, ", "))
		}
	}
	if !fs.Changed("exchange") {
		seen := map[string]bool{}
		for _, p := range s.Publishers {
			seen[p.Exchange] = true
		}
		if len(seen) != 1 {
			return fail(c, "route", exitBadInput, "give --exchange: the scenario's publishers use %d exchanges (use --exchange '' for the default exchange)", len(seen))
		}
		for e := range seen {
			*exchange = e
		}
	}
	hdrs := map[string]string{}
	for _, h := range *headers {
		name, value, ok := strings.Cut(h, "=")
		if !ok || name == "" {
			return fail(c, "route", exitBadInput, "--header %q: write it as name=value", h)
		}
		hdrs[name] = value
	}
	if len(hdrs) == 0 {
		hdrs = nil
	}

	r := s.Route(*exchange, *key, hdrs)
	printRoute(c, s, r, *verbose || r.Unroutable())
	switch {
	case r.Refused != "":
		fmt.Fprintf(c.stdout, "refused: %s\n", r.Refused)
		return exitFailure
	case r.Unroutable():
		fmt.Fprintln(c.stdout, "unroutable: no queue receives this message; the broker drops it, or returns it to a publisher that sets mandatory")
		return exitFailure
	}
	fmt.Fprintf(c.stdout, "reaches %s: %s\n", textfmt.Plural(len(r.Queues), "queue"), strings.Join(r.Queues, ", "))
	for _, q := range r.Queues {
		dl, ok := s.DeadLetterRoute(q, r.Key, r.Headers)
		switch {
		case !ok:
		case dl.Unroutable():
			fmt.Fprintf(c.stdout, "if dead-lettered from %s: dead-letter exchange %s routes it nowhere; it is dropped\n", q, dl.Exchange)
		default:
			fmt.Fprintf(c.stdout, "if dead-lettered from %s: dead-letter exchange %s sends it to %s\n", q, dl.Exchange, strings.Join(dl.Queues, ", "))
		}
	}
	return exitOK
}

func printRoute(c *cli, s *scenarios.Scenario, r scenarios.Route, all bool) {
	fmt.Fprintf(c.stdout, "message to %s with key %q", describeExchange(s, r.Exchange), r.Key)
	if len(r.Headers) > 0 {
		names := make([]string, 0, len(r.Headers))
		for k := range r.Headers {
			names = append(names, k)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, k := range names {
			parts[i] = k + "=" + r.Headers[k]
		}
		fmt.Fprintf(c.stdout, " and headers %s", strings.Join(parts, ", "))
	}
	fmt.Fprintln(c.stdout, ":")
	for _, st := range r.Steps {
		if !all && !st.Matched && st.Binding >= 0 {
			continue
		}
		indent := strings.Repeat("  ", st.Depth+1)
		mark := "  "
		if st.Binding >= 0 || st.Match == scenarios.MatchDefault || st.Match == scenarios.MatchAlternate {
			mark = "✗ "
			if st.Matched {
				mark = "✓ "
			}
		}
		where := ""
		switch {
		case st.Queue != "" && st.Binding >= 0:
			where = fmt.Sprintf("binding %d to queue %s: ", st.Binding, st.Queue)
		case st.ToExchange != "" && st.Binding >= 0:
			where = fmt.Sprintf("binding %d to exchange %s: ", st.Binding, st.ToExchange)
		case st.Queue != "":
			where = fmt.Sprintf("queue %s: ", st.Queue)
		}
		if st.Depth > 0 && st.Binding >= 0 && st.Exchange != "" {
			where = "at " + st.Exchange + ", " + where
		}
		fmt.Fprintf(c.stdout, "%s%s%s%s\n", indent, mark, where, st.Why)
	}
}

func describeExchange(s *scenarios.Scenario, name string) string {
	if name == "" {
		return "the default exchange"
	}
	for _, e := range s.Topology.Exchanges {
		if e.Name == name {
			return fmt.Sprintf("exchange %s (%s)", name, e.Type)
		}
	}
	return "exchange " + name
}
