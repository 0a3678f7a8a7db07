package rabbit_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/warrenmq/warren/internal/rabbit"
)

// The management API defaults to the AMQP broker's host.
func ExampleManagementURIFor() {
	fmt.Println(rabbit.ManagementURIFor("amqp://ops:secret@rabbit-1:5672/orders"))
	fmt.Println(rabbit.ManagementURIFor("amqps://ops:secret@rabbit-1:5671/orders"))
	// Output:
	// http://ops:secret@rabbit-1:15672/
	// https://ops:secret@rabbit-1:15671/
}

// A scenario file names a broker, the environment overrides it, and a flag
// the user set overrides both.
func ExampleResolve() {
	file := rabbit.Addresses{URI: "amqp://guest:guest@staging:5672/"}
	env := map[string]string{rabbit.EnvURI: "amqp://guest:guest@ci:5672/"}
	a := rabbit.Resolve(file, func(k string) string { return env[k] }, rabbit.Override{})
	fmt.Println(a.AMQP())
	fmt.Println(a.Management())

	flag := "amqp://guest:guest@prod:5672/"
	a = rabbit.Resolve(file, func(k string) string { return env[k] }, rabbit.Override{URI: &flag})
	fmt.Println(a.AMQP())
	// Output:
	// amqp://guest:guest@ci:5672/
	// http://guest:guest@ci:15672/
	// amqp://guest:guest@prod:5672/
}

// Dial a broker with a connection named for its UI.
func ExampleDialer_Dial() {
	d := rabbit.Dialer{URI: os.Getenv(rabbit.EnvURI), NamePrefix: "warren-example-"}
	conn, err := d.Dial("setup", nil)
	if err != nil {
		log.Fatal(err) // one line that names the broker and the fix
	}
	defer conn.Close()
	fmt.Println(rabbit.ServerProperty(conn, "product"))
}

// Read the broker's management API, refusing one that serves another
// cluster than the AMQP connection reached.
func ExampleOpenManagement() {
	addr := rabbit.Addresses{URI: os.Getenv(rabbit.EnvURI)}
	conn, err := rabbit.Dialer{URI: addr.AMQP()}.Dial("example", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	m, err := rabbit.OpenManagement(context.Background(), addr.Management(), rabbit.ManagementOptions{
		Timeout: 2 * time.Second,
		Cluster: rabbit.ServerProperty(conn, "cluster_name"),
	})
	if err != nil {
		log.Fatalf("%s; %s", rabbit.ManagementProblem(addr.Management(), err), rabbit.ManagementFix(err))
	}
	defer m.Close()
	fmt.Println(m.Node(), m.Version())
}
