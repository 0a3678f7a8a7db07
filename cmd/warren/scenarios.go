package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/warrenmq/warren/scenarios"
)

func scenariosCmd(_ context.Context, c *cli, args []string) int {
	fs := newFlags(c, "scenarios", "scenarios [show NAME]", "warren scenarios\nwarren scenarios show greenhouse > my.yaml")
	if done, code := parseFlags(c, fs, args); done {
		return code
	}
	rest := fs.Args()
	switch {
	case len(rest) == 0:
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		for _, name := range scenarios.BuiltinNames() {
			s, err := scenarios.Builtin(name)
			if err != nil {
				return fail(c, "scenarios", exitFailure, "built-in %s does not load: %v", name, err)
			}
			fmt.Fprintf(tw, "%s\t%s\n", name, s.Description)
		}
		tw.Flush()
		return exitOK
	case len(rest) == 2 && rest[0] == "show":
		src, err := scenarios.BuiltinSource(rest[1])
		if err != nil {
			return fail(c, "scenarios", exitBadInput, "%v", err)
		}
		c.stdout.Write(src)
		return exitOK
	}
	return fail(c, "scenarios", exitBadInput, "unexpected arguments %q: use 'warren scenarios' or 'warren scenarios show NAME'", rest)
}
