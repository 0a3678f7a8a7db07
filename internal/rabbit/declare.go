package rabbit

import (
	"errors"
	"fmt"

	amqp "github.com/rabbitmq/amqp091-go"
)

// DeclareError turns a refused declaration of what ("queue orders") into
// one line with a fix.
func DeclareError(what string, err error) error {
	var amqpErr *amqp.Error
	if errors.As(err, &amqpErr) {
		switch amqpErr.Code {
		case amqp.PreconditionFailed:
			return fmt.Errorf("declare %s: the broker has it already with other settings (%s): delete it, or change the scenario to match", what, amqpErr.Reason)
		case amqp.AccessRefused:
			return fmt.Errorf("declare %s: access refused (%s): give the user configure permission on it, or use other names", what, amqpErr.Reason)
		case amqp.NotFound:
			return fmt.Errorf("declare %s: not found (%s): declare it first, or set declare: true", what, amqpErr.Reason)
		}
		return fmt.Errorf("declare %s: %s", what, amqpErr.Reason)
	}
	return fmt.Errorf("declare %s: %w", what, err)
}

// PassiveError explains a failed existence check (declare: passive).
func PassiveError(what string, err error) error {
	var amqpErr *amqp.Error
	if errors.As(err, &amqpErr) && amqpErr.Code == amqp.NotFound {
		return fmt.Errorf("%s does not exist on the broker (declare: passive): create it, or set topology.declare: true", what)
	}
	return DeclareError(what, err)
}
