// Package health answers two questions about a RabbitMQ broker: is it healthy
// right now (Check), and is it configured the way production needs (Lint)?
//
// Both are pure functions. Check reads a [Snapshot] of the broker's state —
// nodes, queues with their rates, connections, channels and the topology —
// and applies [Thresholds] with a warning and a critical level each. Lint
// reads a [LintInput]: RabbitMQ's definitions format (the export of
// `rabbitmqctl export_definitions` or GET /api/definitions), optionally the
// broker's rabbitmq.conf, the live connections or a scenario file. Both return
// [Finding]s: a rule id, the object, a severity, the figure and the threshold
// (for health), why it matters and a fix, spelled as the queue arguments,
// policy or setting to change. Because the rules never talk to a broker they
// are table-tested with hand-written snapshots.
//
// [Dial] connects to the management HTTP API (through warren's one client
// of it, internal/rabbit) and fills a Snapshot ([Client.Snapshot]) or a
// LintInput ([Client.LintInput]); [Client.Close] lets go of its connection.
//
// Severities map to exit statuses the way Nagios-style checks do
// ([Status.ExitCode]): 0 healthy (info findings do not count), 1 warning,
// 2 critical, 3 unknown (the broker could not be asked, or the input was bad).
//
// A queue is a dead-letter queue when a queue's dead-letter exchange (the
// x-dead-letter-exchange argument or the dead-letter-exchange key of its
// policy) routes to it through the bindings: with the dead-letter routing key
// when one is set, otherwise through any binding, because dead letters keep
// the routing key they were published with. A queue whose own dead letters
// lead back to the queue that feeds it is part of a retry loop (a delay
// queue with a TTL), not a dead-letter queue.
package health
