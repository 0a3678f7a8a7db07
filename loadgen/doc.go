// Package loadgen drives a scenario against a real RabbitMQ broker and
// measures it: publishers and consumers over AMQP 0-9-1, latency recorded in
// HdrHistogram from the intended send time (free of coordinated omission),
// and every message accounted for. Run returns a results.Result; the files a
// run leaves (result.json, accounting.json, latency.hlog, series.jsonl), and
// reading them back, belong to package results.
//
// It reaches the broker through internal/rabbit. It keeps no package-level
// state, never exits the process and never handles signals: Run stops when
// its context is cancelled or the scenario's bounds are reached.
package loadgen
