package rabbit

import (
	"net"
	"net/url"
	"strings"

	amqp "github.com/rabbitmq/amqp091-go"
)

// DefaultURI is the broker warren uses when neither a scenario, the
// environment nor a flag names one.
const DefaultURI = "amqp://guest:guest@127.0.0.1:5672/"

// DefaultManagementURI is the management API of DefaultURI's broker:
// ManagementURIFor(DefaultURI).
const DefaultManagementURI = "http://guest:guest@127.0.0.1:15672/"

// The environment variables that name the broker. They override a
// scenario file; flags override them.
const (
	EnvURI           = "WARREN_URI"
	EnvManagementURI = "WARREN_MANAGEMENT_URI"
)

// Addresses says where a broker is. An empty field means its default:
// DefaultURI for URI, and for ManagementURI the management API on the
// AMQP URI's host (see ManagementURIFor).
type Addresses struct {
	URI           string
	ManagementURI string
}

// AMQP returns the AMQP URI to dial: URI, or DefaultURI.
func (a Addresses) AMQP() string {
	if a.URI != "" {
		return a.URI
	}
	return DefaultURI
}

// Management returns the management API to read: ManagementURI, or the one
// ManagementURIFor derives from the AMQP URI ("" when that does not
// parse).
func (a Addresses) Management() string {
	if a.ManagementURI != "" {
		return a.ManagementURI
	}
	return ManagementURIFor(a.AMQP())
}

// Override is what one level of precedence gives; a nil field gives
// nothing and leaves the level below in place. A flag the user set to ""
// is a non-nil pointer to "": it overrides, and the field takes its
// default.
type Override struct {
	URI           *string
	ManagementURI *string
}

// Resolve lays the levels over each other in warren's order of
// precedence: the scenario file (file), then the environment (WARREN_URI,
// WARREN_MANAGEMENT_URI, read with getenv; an empty variable counts as
// unset), then the flags the user set.
func Resolve(file Addresses, getenv func(string) string, flags Override) Addresses {
	a := file
	if getenv != nil {
		if v := getenv(EnvURI); v != "" {
			a.URI = v
		}
		if v := getenv(EnvManagementURI); v != "" {
			a.ManagementURI = v
		}
	}
	if flags.URI != nil {
		a.URI = *flags.URI
	}
	if flags.ManagementURI != nil {
		a.ManagementURI = *flags.ManagementURI
	}
	return a
}

// ManagementURIFor derives the management API address from an AMQP URI:
// its host on port 15672 over http (15671 over https for amqps), with the
// same user and password. It returns "" for a URI that does not parse.
func ManagementURIFor(amqpURI string) string {
	u, err := amqp.ParseURI(amqpURI)
	if err != nil {
		return ""
	}
	// JoinHostPort puts an IPv6 address in brackets, which ParseURI took
	// off.
	m := url.URL{Scheme: "http", Host: net.JoinHostPort(u.Host, "15672"), Path: "/", User: url.UserPassword(u.Username, u.Password)}
	if u.Scheme == "amqps" {
		m.Scheme = "https"
		m.Host = net.JoinHostPort(u.Host, "15671")
	}
	return m.String()
}

// IsLoopback tells whether the broker at an AMQP URI is on a loopback
// address of this machine ("" means DefaultURI, which is). A URI that does
// not parse is not.
func IsLoopback(amqpURI string) bool {
	if amqpURI == "" {
		amqpURI = DefaultURI
	}
	u, err := amqp.ParseURI(amqpURI)
	if err != nil {
		return false
	}
	host := strings.Trim(u.Host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Vhost returns the virtual host an AMQP URI names ("/" when it names
// none), or "" for a URI that does not parse.
func Vhost(amqpURI string) string {
	u, err := amqp.ParseURI(amqpURI)
	if err != nil {
		return ""
	}
	return u.Vhost
}
