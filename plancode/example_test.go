package plancode_test

import (
	"fmt"
	"time"

	"github.com/warrenmq/warren/plancode"
	"github.com/warrenmq/warren/sizing"
)

func ExampleClient_Snippet() {
	p, err := sizing.Compute(sizing.Input{Rate: 500, BodyBytes: 1000, Backlog: 10 * time.Second, Persistent: true, Confirms: true})
	if err != nil {
		panic(err)
	}
	python, _ := plancode.Find("python")
	fmt.Print(python.Snippet(p.Settings))
	// Output:
	// import pika
	//
	// params = pika.URLParameters(uri)
	// params.heartbeat = 20
	// connection = pika.BlockingConnection(params)
	// channel = connection.channel()
	//
	// channel.queue_declare(queue='my-queue', durable=True, arguments={
	//     'x-max-length': 5000,
	//     'x-max-length-bytes': 5000000,
	//     'x-overflow': 'reject-publish',
	//     'x-message-ttl': 10000,
	//     'x-dead-letter-exchange': 'my-queue.dlx',
	// })
	//
	// # Publisher: confirms; basic_publish raises NackError when the broker refuses a message.
	// channel.confirm_delivery()
	// try:
	//     channel.basic_publish(exchange='', routing_key='my-queue', body=body,
	//                           properties=pika.BasicProperties(delivery_mode=2))
	// except pika.exceptions.NackError:
	//     pass  # refused (a full queue with reject-publish): retry later
	//
	// # Consumer (on its own connection): manual acks, prefetch 4.
	// channel.basic_qos(prefetch_count=4)
	//
	// def on_message(ch, method, properties, body):
	//     # process body, then:
	//     ch.basic_ack(delivery_tag=method.delivery_tag)
	//
	// channel.basic_consume(queue='my-queue', on_message_callback=on_message, auto_ack=False)
	// channel.start_consuming()
}
