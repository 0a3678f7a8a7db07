package plancode

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/warrenmq/warren/sizing"
)

// A Client is a client library the settings are spelled for.
type Client struct {
	// Key names the client on the command line: go, python, java or node.
	Key string
	// Title names the library: "Go (github.com/rabbitmq/amqp091-go)".
	Title string
	// Lang is the language of a Markdown code block of the snippet.
	Lang string
}

// Clients lists the client libraries, in the order a report shows them.
func Clients() []Client {
	return []Client{
		{"go", "Go (github.com/rabbitmq/amqp091-go)", "go"},
		{"python", "Python (Pika)", "python"},
		{"java", "Java (com.rabbitmq:amqp-client)", "java"},
		{"node", "Node.js (amqplib)", "js"},
	}
}

// Find returns the client whose key is key, in any case.
func Find(key string) (Client, bool) {
	for _, c := range Clients() {
		if strings.EqualFold(c.Key, key) {
			return c, true
		}
	}
	return Client{}, false
}

// Snippet spells the settings in the client's own code, ready to paste: a
// connection with the heartbeat, the queue declared with its arguments, a
// publisher (with confirms when the plan has them) and a consumer with
// manual acknowledgements and the prefetch.
func (c Client) Snippet(s sizing.Settings) string { return snippet(c.Key, s) }

// argLiteral spells an argument's value in a language.
func argLiteral(lang string, v any) string {
	switch x := v.(type) {
	case int64:
		switch lang {
		case "go":
			return fmt.Sprintf("int64(%d)", x)
		case "java":
			if x > 1<<31-1 {
				return fmt.Sprintf("%dL", x)
			}
		}
		return strconv.FormatInt(x, 10)
	case string:
		if lang == "python" || lang == "node" {
			return "'" + x + "'"
		}
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}

// snippet spells the settings for the client with the key.
func snippet(key string, s sizing.Settings) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	hb := int(s.Heartbeat / time.Second)
	switch key {
	case "go":
		w("// Connection with a %d s heartbeat.\n", hb)
		w("conn, err := amqp.DialConfig(uri, amqp.Config{Heartbeat: %d * time.Second})\n", hb)
		w("ch, err := conn.Channel()\n\n")
		w("args := amqp.Table{\n")
		keyW := 0
		for _, a := range s.Arguments {
			keyW = max(keyW, len(a.Key)+3) // quotes and colon
		}
		for _, a := range s.Arguments {
			w("\t%-*s %s,\n", keyW, strconv.Quote(a.Key)+":", argLiteral("go", a.Value))
		}
		w("}\n")
		w("_, err = ch.QueueDeclare(%q, %t, false, false, false, args)\n\n", s.QueueName, s.Durable)
		mode := "amqp.Transient"
		if s.Persistent {
			mode = "amqp.Persistent"
		}
		if s.Confirms {
			w("// Publisher: confirms, then wait for each one (or keep a window of them).\n")
			w("err = ch.Confirm(false)\n")
			w("dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, \"\", %q, false, false, amqp.Publishing{\n", s.QueueName)
			w("\tDeliveryMode: %s,\n\tBody:         body,\n})\n", mode)
			w("ok, err := dc.WaitContext(ctx) // ok == false: the broker refused it (a full queue with reject-publish): retry later\n\n")
		} else {
			w("// Publisher (no confirms: a refused or lost message goes unnoticed).\n")
			w("err = ch.PublishWithContext(ctx, \"\", %q, false, false, amqp.Publishing{DeliveryMode: %s, Body: body})\n\n", s.QueueName, mode)
		}
		w("// Consumer (on its own connection): manual acks, prefetch %d.\n", s.Prefetch)
		w("err = ch.Qos(%d, 0, false)\n", s.Prefetch)
		w("msgs, err := ch.Consume(%q, \"\", false, false, false, false, nil)\n", s.QueueName)
		w("for d := range msgs {\n\t// process d.Body, then:\n\terr = d.Ack(false)\n}\n")
	case "python":
		w("import pika\n\n")
		w("params = pika.URLParameters(uri)\nparams.heartbeat = %d\n", hb)
		w("connection = pika.BlockingConnection(params)\nchannel = connection.channel()\n\n")
		w("channel.queue_declare(queue='%s', durable=%s, arguments={\n", s.QueueName, pyBool(s.Durable))
		for _, a := range s.Arguments {
			w("    '%s': %s,\n", a.Key, argLiteral("python", a.Value))
		}
		w("})\n\n")
		props := "pika.BasicProperties()"
		if s.Persistent {
			props = "pika.BasicProperties(delivery_mode=2)"
		}
		if s.Confirms {
			w("# Publisher: confirms; basic_publish raises NackError when the broker refuses a message.\n")
			w("channel.confirm_delivery()\ntry:\n")
			w("    channel.basic_publish(exchange='', routing_key='%s', body=body,\n", s.QueueName)
			w("                          properties=%s)\n", props)
			w("except pika.exceptions.NackError:\n    pass  # refused (a full queue with reject-publish): retry later\n\n")
		} else {
			w("# Publisher (no confirms: a refused or lost message goes unnoticed).\n")
			w("channel.basic_publish(exchange='', routing_key='%s', body=body,\n", s.QueueName)
			w("                      properties=%s)\n\n", props)
		}
		w("# Consumer (on its own connection): manual acks, prefetch %d.\n", s.Prefetch)
		w("channel.basic_qos(prefetch_count=%d)\n\n", s.Prefetch)
		w("def on_message(ch, method, properties, body):\n    # process body, then:\n    ch.basic_ack(delivery_tag=method.delivery_tag)\n\n")
		w("channel.basic_consume(queue='%s', on_message_callback=on_message, auto_ack=False)\nchannel.start_consuming()\n", s.QueueName)
	case "java":
		w("ConnectionFactory factory = new ConnectionFactory();\nfactory.setUri(uri);\nfactory.setRequestedHeartbeat(%d);\n", hb)
		w("Connection connection = factory.newConnection();\nChannel channel = connection.createChannel();\n\n")
		w("Map<String, Object> args = new HashMap<>();\n")
		for _, a := range s.Arguments {
			w("args.put(%q, %s);\n", a.Key, argLiteral("java", a.Value))
		}
		w("channel.queueDeclare(%q, %t, false, false, args);\n\n", s.QueueName, s.Durable)
		props := "null"
		if s.Persistent {
			props = "MessageProperties.MINIMAL_PERSISTENT_BASIC"
		}
		if s.Confirms {
			w("// Publisher: confirms; waitForConfirmsOrDie throws when the broker refused a message.\n")
			w("channel.confirmSelect();\nchannel.basicPublish(\"\", %q, %s, body);\n", s.QueueName, props)
			w("channel.waitForConfirmsOrDie(5_000);\n\n")
		} else {
			w("// Publisher (no confirms: a refused or lost message goes unnoticed).\n")
			w("channel.basicPublish(\"\", %q, %s, body);\n\n", s.QueueName, props)
		}
		w("// Consumer (on its own connection): manual acks, prefetch %d.\n", s.Prefetch)
		w("channel.basicQos(%d);\n", s.Prefetch)
		w("channel.basicConsume(%q, false, (tag, delivery) -> {\n", s.QueueName)
		w("    // process delivery.getBody(), then:\n    channel.basicAck(delivery.getEnvelope().getDeliveryTag(), false);\n}, tag -> {});\n")
	case "node":
		w("import amqp from 'amqplib'; // an ES module: top-level await below\n\n")
		w("// amqplib takes the heartbeat from the URL's query.\n")
		w("const conn = await amqp.connect('amqp://user:password@host:5672/vhost?heartbeat=%d');\n", hb)
		if s.Confirms {
			w("const ch = await conn.createConfirmChannel();\n\n")
		} else {
			w("const ch = await conn.createChannel();\n\n")
		}
		w("await ch.assertQueue('%s', {\n  durable: %t,\n  arguments: {\n", s.QueueName, s.Durable)
		for _, a := range s.Arguments {
			w("    '%s': %s,\n", a.Key, argLiteral("node", a.Value))
		}
		w("  },\n});\n\n")
		if s.Confirms {
			w("// Publisher: confirms; the callback gets an error when the broker refused the message.\n")
			w("ch.sendToQueue('%s', body, { persistent: %t }, (err) => {\n  if (err) { /* refused (a full queue with reject-publish): retry later */ }\n});\n", s.QueueName, s.Persistent)
			w("await ch.waitForConfirms();\n\n")
		} else {
			w("// Publisher (no confirms: a refused or lost message goes unnoticed).\n")
			w("ch.sendToQueue('%s', body, { persistent: %t });\n\n", s.QueueName, s.Persistent)
		}
		w("// Consumer (on its own connection): manual acks, prefetch %d.\n", s.Prefetch)
		w("await ch.prefetch(%d);\n", s.Prefetch)
		w("await ch.consume('%s', (msg) => {\n  // process msg.content, then:\n  ch.ack(msg);\n}, { noAck: false });\n", s.QueueName)
	}
	return b.String()
}

func pyBool(v bool) string {
	if v {
		return "True"
	}
	return "False"
}
