package main

import "context"

func runCmd(_ context.Context, c *cli, args []string) int {
	return fail(c, "run", exitFailure, "not built yet")
}
