// Package plancode spells the production settings of a sizing plan
// (sizing.Settings: queue arguments, prefetch, heartbeat, confirms) in the
// code of the client libraries people use with RabbitMQ: Go's amqp091-go,
// Python's Pika, the Java client and Node.js's amqplib.
//
// warren size prints one client's snippet (--client) and sizing.md shows
// all of them. The package is its own, rather than part of the sizing
// model or of the reports, because it knows each library's API and grows
// with it: the next step turns each snippet into a runnable program per
// language, with its own files and build checks, which belong neither in
// a pure model nor in a view of results.
package plancode
