// Package sizing turns a workload — peak publish rate, message size,
// backlog target, queue type — into a broker plan: the messages a backlog
// holds, the RAM the broker needs for them with its per-message overhead,
// the node RAM to provision under the memory high watermark, queue limits,
// consumers by Little's law, prefetch from the round trip, disk, network
// bytes from the AMQP 0-9-1 framing, and file descriptors. It checks the
// rate into each queue against what one queue sustains (one queue is one
// Erlang process) and says how many queues would carry the rate.
//
// Every output is a [Line] that carries its formula, with the numbers put
// in, and the assumptions behind it, so that a report can show its
// working. The numbers the broker decides (bytes of RAM per queued message
// by queue type, per connection and per channel, the memory high
// watermark, the rate one queue sustains) are [Constants] with their
// sources; [DefaultConstants] gives documented defaults and
// [Constants.Calibrate] replaces them with measurements from a broker
// (warren size calibrate, and warren capacity on one queue).
//
// The package is pure: no I/O, no clock, no randomness; it imports nothing
// else of warren's.
package sizing
