package plancode

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"
	"time"

	"github.com/warrenmq/warren/sizing"
)

func plan(t *testing.T, in sizing.Input) sizing.Settings {
	t.Helper()
	p, err := sizing.Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	return p.Settings
}

// The Go snippet is Go: its statements parse, with confirms or without,
// for every queue type.
func TestGoSnippetParses(t *testing.T) {
	base := sizing.Input{Rate: 500, BodyBytes: 1000, Backlog: 10 * time.Second, Persistent: true, Confirms: true}
	transient := base
	transient.Persistent, transient.Confirms = false, false
	quorum := base
	quorum.QueueType = sizing.Quorum
	stream := base
	stream.QueueType = sizing.Stream
	goClient, _ := Find("go")
	for name, in := range map[string]sizing.Input{"classic": base, "transient": transient, "quorum": quorum, "stream": stream} {
		src := "package p\nfunc f() {\n" + goClient.Snippet(plan(t, in)) + "}\n"
		if _, err := parser.ParseFile(token.NewFileSet(), "snippet.go", src, 0); err != nil {
			t.Errorf("%s: the Go snippet does not parse: %v\n%s", name, err, src)
		}
	}
}

// Each client spells the plan's prefetch, heartbeat and arguments in its
// own way.
func TestEverySnippetCarriesTheSettings(t *testing.T) {
	s := sizing.Settings{
		QueueName: "orders", QueueType: sizing.Quorum, Durable: true, Persistent: true, Confirms: true,
		Prefetch: 7, Heartbeat: 15 * time.Second,
		Arguments: []sizing.Argument{{Key: "x-queue-type", Value: "quorum"}, {Key: "x-max-length-bytes", Value: int64(3_000_000_000)}},
	}
	for key, wants := range map[string][]string{
		"go":     {"Heartbeat: 15 * time.Second", `"x-max-length-bytes": int64(3000000000),`, "ch.Qos(7, 0, false)", "ch.Confirm(false)", "amqp.Persistent"},
		"python": {"params.heartbeat = 15", "'x-queue-type': 'quorum',", "basic_qos(prefetch_count=7)", "confirm_delivery()", "delivery_mode=2"},
		"java":   {"setRequestedHeartbeat(15)", `args.put("x-max-length-bytes", 3000000000L);`, "basicQos(7)", "confirmSelect()"},
		"node":   {"heartbeat=15", "'x-max-length-bytes': 3000000000,", "prefetch(7)", "createConfirmChannel()", "persistent: true"},
	} {
		c, ok := Find(key)
		if !ok {
			t.Fatalf("no client %q", key)
		}
		got := c.Snippet(s)
		for _, want := range wants {
			if !strings.Contains(got, want) {
				t.Errorf("%s snippet lacks %q:\n%s", key, want, got)
			}
		}
		if !strings.Contains(got, "orders") {
			t.Errorf("%s snippet does not name the queue:\n%s", key, got)
		}
	}
}

func TestFind(t *testing.T) {
	if c, ok := Find("Python"); !ok || c.Key != "python" || c.Lang != "python" {
		t.Errorf("Find(Python) = %+v, %v", c, ok)
	}
	if c, ok := Find("node"); !ok || c.Lang != "js" {
		t.Errorf("Find(node) = %+v, %v", c, ok)
	}
	if _, ok := Find("cobol"); ok {
		t.Error("Find(cobol) found a client")
	}
	var keys []string
	for _, c := range Clients() {
		keys = append(keys, c.Key)
	}
	if got := strings.Join(keys, ","); got != "go,python,java,node" {
		t.Errorf("clients in the order %s", got)
	}
}
