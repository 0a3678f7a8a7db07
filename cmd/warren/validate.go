package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/warrenmq/warren/internal/textfmt"
	"github.com/warrenmq/warren/scenarios"
)

func validateCmd(_ context.Context, c *cli, args []string) int {
	fs := newFlags(c, "validate", "validate FILE|NAME ...\n\n"+
		"Checks a scenario file, or a built-in, and every variant of its sweep, without\n"+
		"touching a broker. Prints one line per valid scenario; prints every problem on\n"+
		"its own line (file:line:column: field: problem) on stderr and exits 2 when\n"+
		"one is not.",
		"warren validate my-scenario.yaml\nwarren validate greenhouse prefetch-sweep")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		return fail(c, "validate", exitBadInput, "give a scenario file or a built-in name (see 'warren scenarios')")
	}
	status := exitOK
	for _, arg := range fs.Args() {
		s, err := scenarios.Resolve(arg)
		if err == nil {
			err = s.Validate()
		}
		if err != nil {
			printProblems(c, "validate", err)
			status = exitBadInput
			continue
		}
		variants, err := s.Expand()
		if err != nil { // Validate has expanded already; kept for safety
			printProblems(c, "validate", err)
			status = exitBadInput
			continue
		}
		fmt.Fprintf(c.stdout, "ok: %s (%s, %s, %s)\n", s.Name,
			textfmt.Plural(len(s.Publishers), "publisher group"), textfmt.Plural(len(s.Consumers), "consumer group"), textfmt.Plural(len(variants), "variant"))
	}
	return status
}

// printProblems prints each problem of a scenario error on its own line;
// located problems stand alone ("bad.yaml:14:7: ..."), anything else is
// prefixed with the command.
func printProblems(c *cli, cmd string, err error) {
	for _, p := range scenarios.Problems(err) {
		var pr *scenarios.Problem
		if errors.As(p, &pr) && pr.File != "" {
			fmt.Fprintln(c.stderr, pr.Error())
		} else {
			fmt.Fprintf(c.stderr, "warren %s: %v\n", cmd, p)
		}
	}
}
