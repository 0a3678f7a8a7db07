// Command warren load-tests RabbitMQ over AMQP 0-9-1 and plans its capacity.
//
// main only wires the process to run, which does all the work and is what
// the tests call.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

func main() {
	reexecQuietSysmon()
	// The first SIGINT or SIGTERM stops the run gracefully (stop
	// publishing, drain, write the result); a second one ends the drain at
	// once, and the result of what ran is still written.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	stopNow := make(chan struct{})
	first := make(chan os.Signal, 1)
	go func() {
		s := <-sigs
		first <- s
		cancel()
		<-sigs
		close(stopNow)
	}()
	code := run(ctx, os.Args[1:], &cli{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, stopNow: stopNow, setProcs: runtime.GOMAXPROCS})
	signal.Stop(sigs)
	if code == exitInterrupted {
		// 128 + the signal's number, as shells report it.
		if s := <-first; s == syscall.SIGTERM {
			code = 128 + int(syscall.SIGTERM)
		}
	}
	os.Exit(code)
}
