package loadgen

import (
	"net"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/warrenmq/warren/internal/rabbit"
)

// dialer opens this run's connections: named for the broker's UI
// ("warren-<instance>-pub-0"), with the scenario's TLS and heartbeat.
func (r *runner) dialer() rabbit.Dialer {
	return rabbit.Dialer{
		URI:        r.uri,
		TLS:        r.s.Broker.TLS,
		Heartbeat:  r.s.Broker.Heartbeat.Std(),
		NamePrefix: r.s.Broker.ConnectionName + "-" + r.instanceID + "-",
		Version:    r.cfg.version,
	}
}

// dial opens a connection named name.
func (r *runner) dial(name string) (*amqp.Connection, error) {
	return r.dialer().Dial(name, nil)
}

// dialCorked opens a connection as dial does, and returns the socket under
// it too, for publishers and consumers to cork.
func (r *runner) dialCorked(name string) (*amqp.Connection, *corkConn, error) {
	var wire *corkConn
	conn, err := r.dialer().Dial(name, func(c net.Conn) net.Conn {
		wire = &corkConn{Conn: c}
		return wire
	})
	if err != nil {
		return nil, nil, err
	}
	return conn, wire, nil
}
