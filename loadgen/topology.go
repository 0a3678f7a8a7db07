package loadgen

import (
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/scenarios"
)

// queueArguments is the queue's x-arguments as an AMQP table.
func queueArguments(q scenarios.Queue) amqp.Table {
	args := q.XArguments()
	if args == nil {
		return nil
	}
	return amqp.Table(args)
}

// declare creates the scenario's exchanges, queues and bindings, or with
// declare: passive checks that they exist, or with declare: false trusts
// the broker to have them.
func declare(ch *amqp.Channel, t scenarios.Topology) error {
	switch t.Declare {
	case scenarios.DeclareNone:
		return nil
	case scenarios.DeclarePassive:
		return checkExists(ch, t)
	}
	for _, e := range t.Exchanges {
		var args amqp.Table
		if e.AlternateExchange != "" {
			args = amqp.Table{"alternate-exchange": e.AlternateExchange}
		}
		if err := ch.ExchangeDeclare(e.Name, e.Type, e.Durable, e.AutoDelete, e.Internal, false, args); err != nil {
			return rabbit.DeclareError(fmt.Sprintf("exchange %q", e.Name), err)
		}
	}
	for _, q := range t.Queues {
		if _, err := ch.QueueDeclare(q.Name, q.Durable, q.AutoDelete, q.Exclusive, false, queueArguments(q)); err != nil {
			return rabbit.DeclareError(fmt.Sprintf("queue %q", q.Name), err)
		}
	}
	for _, b := range t.Bindings {
		var args amqp.Table
		if len(b.Headers) > 0 {
			args = amqp.Table{"x-match": b.Match}
			for k, v := range b.Headers {
				args[k] = v
			}
		}
		var err error
		if b.ToExchange != "" {
			err = ch.ExchangeBind(b.ToExchange, b.Key, b.Exchange, false, args)
		} else {
			err = ch.QueueBind(b.Queue, b.Key, b.Exchange, false, args)
		}
		if err != nil {
			dest := b.Queue
			if b.ToExchange != "" {
				dest = "exchange " + b.ToExchange
			}
			return rabbit.DeclareError(fmt.Sprintf("binding %s → %s (key %q)", b.Exchange, dest, b.Key), err)
		}
	}
	return nil
}

// cleanup deletes what declare created. Errors are returned joined; the
// caller reports them as warnings, since the run itself succeeded.
func cleanup(ch *amqp.Channel, t scenarios.Topology) error {
	var first error
	for _, q := range t.Queues {
		if _, err := ch.QueueDelete(q.Name, false, false, false); err != nil && first == nil {
			first = fmt.Errorf("delete queue %q: %w", q.Name, err)
		}
	}
	for _, e := range t.Exchanges {
		if err := ch.ExchangeDelete(e.Name, false, false); err != nil && first == nil {
			first = fmt.Errorf("delete exchange %q: %w", e.Name, err)
		}
	}
	return first
}

// checkExists passively declares every exchange and queue. A passive
// declare of something missing closes the channel, so the caller's channel
// is only used for the first failure.
func checkExists(ch *amqp.Channel, t scenarios.Topology) error {
	for _, e := range t.Exchanges {
		if err := ch.ExchangeDeclarePassive(e.Name, e.Type, e.Durable, e.AutoDelete, e.Internal, false, nil); err != nil {
			return rabbit.PassiveError(fmt.Sprintf("exchange %q", e.Name), err)
		}
	}
	for _, q := range t.Queues {
		if _, err := ch.QueueDeclarePassive(q.Name, q.Durable, q.AutoDelete, q.Exclusive, false, nil); err != nil {
			return rabbit.PassiveError(fmt.Sprintf("queue %q", q.Name), err)
		}
	}
	return nil
}
