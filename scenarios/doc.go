// Package scenarios is warren's declarative language for a load test: the
// topology to declare, the publishers and consumers to run, how long and how
// fast. Scenario files are YAML; a library of built-in scenarios is embedded.
//
// The package does no I/O beyond reading what it is given and never talks to
// a broker: loadgen turns a Scenario into traffic.
//
// A Rate is also the one schedule of sends: Rate.Due counts the messages due
// by a time, and Rate.Schedule, its inverse, says when each message is due.
// loadgen's pacers are these schedules, so what a report says the scenario
// asked for and what the generator sent follow the same maths.
package scenarios
