package main

import (
	"runtime"

	"github.com/warrenmq/warren/internal/rabbit"
)

// procsFor picks how many threads may run warren's Go code at once
// (GOMAXPROCS) for a run against uri; 0 leaves the runtime's own choice.
//
// A broker on this machine shares its cores with warren, and every cycle
// warren spends is one the broker does not get. Measured with `warren
// bench` on 2 cores shared with RabbitMQ: one thread instead of two raised
// the rates by 8–16 % and cut warren's CPU per message by 25–32 % in every
// case, because the runtime no longer wakes a second thread for each frame
// that one goroutine hands to another. So warren takes half the cores (at
// least one) of a machine it shares with its broker, and all of them when
// the broker is elsewhere. --procs, or GOMAXPROCS in the environment, wins.
func procsFor(given int, envGOMAXPROCS, uri string, ncpu int) int {
	switch {
	case given > 0:
		return given
	case envGOMAXPROCS != "":
		return 0 // the runtime has applied it already
	case rabbit.IsLoopback(uri):
		return max(1, ncpu/2)
	}
	return 0
}

// applyProcs sets GOMAXPROCS for a run against uri where the cli owns the
// process (main does; the tests, which share one process, do not).
func applyProcs(c *cli, given int, uri string) {
	if c.setProcs == nil {
		return
	}
	if n := procsFor(given, c.getenv("GOMAXPROCS"), uri, runtime.NumCPU()); n > 0 {
		c.setProcs(n)
	}
}
