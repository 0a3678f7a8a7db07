// Package rabbit is warren's one way to a broker: the AMQP connection
// (TLS, client properties, errors that name the fix), the management HTTP
// API client, the default addresses, and the order in which a scenario
// file, the environment and flags decide them.
//
// Everything in warren that reaches a broker goes through here, so that a
// broker given by several URIs (a cluster dialled in turn) changes this
// package and not its callers: they describe the broker with [Addresses]
// and a [Dialer] and never parse an AMQP URI themselves.
//
// Redaction of the password in a URI is [scenarios.RedactURI]: it is string
// work that packages without AMQP (scenarios, reports) need too, so it
// lives there once and this package calls it.
package rabbit
