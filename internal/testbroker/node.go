package testbroker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Bounds on the life of a private node. A boot needs about 5.5 s of CPU,
// mostly one core loading code: 6-9 s on a 2-core machine, but over 30 s when
// other test binaries compete for the CPU, hence the generous start bound.
const (
	startTimeout = 120 * time.Second
	stopTimeout  = 60 * time.Second
	ctlTimeout   = 2 * time.Minute
	startTries   = 3 // fresh nodes only: a free port may be taken before the node binds it
)

// Node is a private RabbitMQ node, run from the installed rabbitmq-server
// under the test process's user. It has its own node name, its own AMQP,
// management and Erlang distribution ports on 127.0.0.1, and its own data
// directory, so a test may stop, block, purge or restart it without touching
// the shared broker. The guest user works as on any fresh broker.
//
// Its methods are safe for concurrent use.
type Node struct {
	name     string
	dir      string
	ownsDir  bool
	inst     install
	erlCall  string
	cookie   string
	scripts  string // RABBITMQ_SCRIPTS_DIR when the plugins view is used, else ""
	amqpPort int
	mgmtPort int
	distPort int

	mu     sync.Mutex
	proc   *process // nil when not running
	frozen int      // pid of the VM that Freeze stopped, 0 when none
	closed bool
}

// process is one run of rabbitmq-server.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited and been reaped
	err  error         // exit status, valid once done is closed
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// StartPrivate starts a private node for the test and stops it, removing its
// data, when the test ends. If RabbitMQ is not installed the test is skipped,
// or failed when CI=true. Other failures fail the test.
//
// A node takes several seconds to boot: tests that can share one should use a
// package-level Shared instead.
func StartPrivate(t testing.TB) *Node {
	t.Helper()
	n, err := StartPrivateNode("")
	if err != nil {
		if errors.Is(err, ErrNotInstalled) {
			unavailable(t, err.Error(), "install it (`make broker` does, as root) or set "+EnvRabbitMQHome)
		}
		t.Fatalf("testbroker: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("testbroker: last lines of node %s's log:\n%s", n.Name(), n.logTail(30))
		}
		if err := n.Close(); err != nil {
			t.Errorf("testbroker: closing node %s: %v", n.Name(), err)
		}
	})
	return n
}

// StartPrivateNode starts a private node and waits until it accepts AMQP
// connections. It keeps its data in dir, which it creates if needed; with dir
// "" it makes a temporary directory that Close removes. It does not need a
// testing.TB, so a TestMain can start a node for a whole package (see Shared
// for a lazier way). The caller must Close the node.
//
// It returns an error wrapping ErrNotInstalled when RabbitMQ is not installed.
func StartPrivateNode(dir string) (*Node, error) {
	inst, err := findInstall()
	if err != nil {
		return nil, err
	}
	ownsDir := dir == ""
	if ownsDir {
		if dir, err = os.MkdirTemp("", "warren-rabbitmq-"); err != nil {
			return nil, fmt.Errorf("testbroker: %w", err)
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("testbroker: %w", err)
	}
	n := &Node{
		name:    "warren-" + randomHex(4) + "@localhost",
		dir:     dir,
		ownsDir: ownsDir,
		inst:    inst,
		erlCall: findErlCall(),
		cookie:  strings.ToUpper(randomHex(10)),
	}
	if err := n.prepare(); err != nil {
		_ = n.Close()
		return nil, err
	}
	for try := 1; ; try++ {
		err = n.Start()
		if err == nil {
			return n, nil
		}
		if try == startTries || !errors.Is(err, errExited) {
			_ = n.Close()
			return nil, err
		}
		// The node died early, most likely because another process took one
		// of its ports between our probe and its bind: start afresh on others.
		if err := n.reset(); err != nil {
			_ = n.Close()
			return nil, err
		}
	}
}

// prepare writes the node's files: Erlang cookie, environment, plugins,
// configuration.
func (n *Node) prepare() error {
	home := filepath.Join(n.dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return fmt.Errorf("testbroker: %w", err)
	}
	// Erlang refuses a cookie file that others can read. The server and
	// rabbitmqctl share it through HOME, so no cookie of the user's (and none
	// of the shared broker's) is read or written.
	cookie := filepath.Join(home, ".erlang.cookie")
	_ = os.Remove(cookie)
	if err := os.WriteFile(cookie, []byte(n.cookie), 0o400); err != nil {
		return fmt.Errorf("testbroker: %w", err)
	}
	// An empty environment file, so that the system's
	// /etc/rabbitmq/rabbitmq-env.conf (which names the shared node) is not
	// read.
	files := map[string]string{
		"rabbitmq-env.conf": "",
		"enabled_plugins":   "[rabbitmq_management].\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(n.dir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("testbroker: %w", err)
		}
	}
	if os.Getenv("WARREN_TEST_RABBITMQ_TRIM") != "0" {
		// Best effort: on an unexpected layout the node runs from the
		// installation as it is, only slower.
		if s, err := n.inst.trimmedHome(filepath.Join(n.dir, "rabbitmq-home"), []string{"rabbit", "rabbitmq_management"}); err == nil {
			n.scripts = s
		}
	}
	return n.choosePorts()
}

// choosePorts picks three free ports on 127.0.0.1 and writes the
// configuration that uses them. The listeners stay open until all three are
// chosen so that the three differ.
func (n *Node) choosePorts() error {
	var ports [3]int
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("testbroker: finding a free port: %w", err)
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	n.amqpPort, n.mgmtPort, n.distPort = ports[0], ports[1], ports[2]
	conf := fmt.Sprintf(`# written by warren's internal/testbroker for a private test node
listeners.tcp.default = 127.0.0.1:%d
management.tcp.ip = 127.0.0.1
management.tcp.port = %d
`, n.amqpPort, n.mgmtPort)
	if err := os.WriteFile(filepath.Join(n.dir, "rabbitmq.conf"), []byte(conf), 0o644); err != nil {
		return fmt.Errorf("testbroker: %w", err)
	}
	return nil
}

// reset throws away a failed first boot's data and picks new ports.
func (n *Node) reset() error {
	for _, d := range []string{"mnesia", "log"} {
		if err := os.RemoveAll(filepath.Join(n.dir, d)); err != nil {
			return fmt.Errorf("testbroker: %w", err)
		}
	}
	return n.choosePorts()
}

// env is the environment of rabbitmq-server and rabbitmqctl for this node.
// RABBITMQ_* and ERL_* variables of the test process are dropped so that
// nothing meant for another broker (RABBITMQ_NODENAME, ERL_FLAGS...) leaks in;
// NOTIFY_SOCKET would make the script think it runs under systemd.
func (n *Node) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "RABBITMQ_") || strings.HasPrefix(k, "ERL_") || k == "HOME" || k == "NOTIFY_SOCKET" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"HOME="+filepath.Join(n.dir, "home"),
		"RABBITMQ_NODENAME="+n.name,
		"RABBITMQ_CONF_ENV_FILE="+filepath.Join(n.dir, "rabbitmq-env.conf"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(n.dir, "rabbitmq.conf"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(n.dir, "enabled_plugins"),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(n.dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(n.dir, "log"),
		"RABBITMQ_PID_FILE="+filepath.Join(n.dir, "rabbitmq.pid"),
		"RABBITMQ_DIST_PORT="+strconv.Itoa(n.distPort),
		// Distribution on loopback only; epmd, if this node has to start
		// it, too. epmd is shared with the other nodes on the machine,
		// which is how rabbitmqctl finds this one by name.
		"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}",
		"ERL_EPMD_ADDRESS=127.0.0.1",
	)
	if n.scripts != "" {
		env = append(env, "RABBITMQ_SCRIPTS_DIR="+n.scripts)
	}
	return env
}

// Name returns the Erlang node name, such as warren-1a2b3c4d@localhost.
func (n *Node) Name() string { return n.name }

// URI returns the node's AMQP URI (guest/guest on 127.0.0.1).
func (n *Node) URI() string {
	return fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d/", n.amqpPort)
}

// ManagementURI returns the base URI of the node's management API.
func (n *Node) ManagementURI() string {
	return fmt.Sprintf("http://guest:guest@127.0.0.1:%d/", n.mgmtPort)
}

// Ctl runs rabbitmqctl against the node, for example
// n.Ctl("list_queues", "name", "messages"), and returns its standard output.
// The error includes the standard error. Each call costs about a second: the
// CLI boots an Erlang VM of its own.
func (n *Node) Ctl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ctlTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, n.ctlPath(), append([]string{"-n", n.name}, args...)...)
	cmd.Env = n.env()
	cmd.Dir = n.dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("testbroker: rabbitmqctl %s: %w: %s",
			strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func (n *Node) ctlPath() string {
	// The real script, not Debian's /usr/sbin wrapper, which would switch to
	// the rabbitmq user and so lose this node's HOME and cookie.
	return n.inst.ctl()
}

// errExited marks a node that died during boot.
var errExited = errors.New("rabbitmq-server exited during boot")

// Start starts the node again after Stop, on the same data directory and
// ports, and waits until it accepts AMQP connections. Starting a running node
// does nothing.
func (n *Node) Start() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return errors.New("testbroker: node is closed")
	}
	if n.proc != nil && !n.proc.exited() {
		// A node a failed test left frozen must not hang the next one.
		return n.thawLocked()
	}
	n.proc = nil
	n.frozen = 0
	out, err := os.OpenFile(filepath.Join(n.dir, "server.out"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("testbroker: %w", err)
	}
	// Not -detached: we keep the process, so Stop and Close can wait for it
	// and kill it. The script then traps SIGTERM and stops the broker
	// cleanly. Output goes to a file, not a pipe, so that Wait never waits
	// for the broker's children to close it.
	cmd := exec.Command(n.inst.server())
	cmd.Env = n.env()
	cmd.Dir = n.dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("testbroker: starting %s: %w", n.inst.server(), err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		out.Close()
		close(p.done)
	}()
	n.proc = p
	if err := n.waitReady(p); err != nil {
		n.killLocked()
		return fmt.Errorf("testbroker: node %s: %w\n%s", n.name, err, n.logTail(15))
	}
	return nil
}

// waitReady polls until an AMQP handshake succeeds. The management listener
// starts before the AMQP one, so it is up too.
func (n *Node) waitReady(p *process) error {
	deadline := time.Now().Add(startTimeout)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(n.amqpPort))
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			if conn, err := dial(n.URI()); err == nil {
				_ = conn.Close()
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not accepting AMQP connections on %s after %s", addr, startTimeout)
		}
		select {
		case <-p.done:
			return fmt.Errorf("%w (%v)", errExited, p.err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Stop stops the node cleanly, as `rabbitmqctl stop` would, and waits for its
// process to exit; after stopTimeout it kills it. Stopping a stopped node does
// nothing. The data stays for Start.
func (n *Node) Stop() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	p := n.proc
	if p == nil || p.exited() {
		n.proc = nil
		n.frozen = 0
		return nil
	}
	_ = n.thawLocked() // a frozen VM would not hear SIGTERM
	n.proc = nil
	n.detachStatsHandler()
	// SIGTERM to the script: its trap forwards it to the Erlang VM, where
	// RabbitMQ handles it with the same orderly shutdown as `rabbitmqctl
	// stop`, without booting the CLI's own VM first.
	_ = p.cmd.Process.Signal(terminateSignal)
	select {
	case <-p.done:
		killGroup(p.cmd.Process.Pid) // stray children, if any
		return nil
	case <-time.After(stopTimeout):
		killGroup(p.cmd.Process.Pid)
		<-p.done
		return fmt.Errorf("testbroker: node %s did not stop within %s and was killed", n.name, stopTimeout)
	}
}

// detachStatsHandler removes the management agent's event handler before a
// clean stop. Why: in RabbitMQ 3.10 that handler's terminate callback asks
// every connection, channel and queue to refresh its statistics while the
// node is shutting down, and waits 5 s for answers that never come
// (rabbitmq-server#11070, fixed in 3.13). Removed while the node still runs,
// it returns at once, and a stop takes about 1 s instead of 6. Best effort:
// without erl_call, or if the call fails, the stop is merely slower.
func (n *Node) detachStatsHandler() {
	if n.erlCall == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, n.erlCall,
		"-address", net.JoinHostPort("127.0.0.1", strconv.Itoa(n.distPort)),
		"-c", n.cookie, "-timeout", "4",
		"-a", "gen_event delete_handler [rabbit_event, rabbit_mgmt_db_handler, []]")
	cmd.Env = n.env()
	_ = cmd.Run()
}

// Freeze stops the node's Erlang VM with SIGSTOP, as a VM paused by its
// hypervisor, a long garbage collection or a debugger would be: its sockets
// stay open, the kernel still accepts connections and data for it, and
// nothing answers. Only heartbeats (or timeouts) tell a client. Thaw
// resumes it; Stop, Kill, Start and Close thaw it first. Freeze works on
// Linux only.
func (n *Node) Freeze() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.proc == nil || n.proc.exited() {
		return errors.New("testbroker: freeze: node is not running")
	}
	if n.frozen != 0 {
		return nil
	}
	pid, err := findVM(n.proc.cmd.Process.Pid)
	if err != nil {
		return fmt.Errorf("testbroker: freeze node %s: %w", n.name, err)
	}
	if err := signalStop(pid); err != nil {
		return fmt.Errorf("testbroker: freeze node %s: %w", n.name, err)
	}
	n.frozen = pid
	return nil
}

// Thaw resumes a node that Freeze stopped. Thawing a node that is not
// frozen does nothing.
func (n *Node) Thaw() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.thawLocked()
}

func (n *Node) thawLocked() error {
	if n.frozen == 0 {
		return nil
	}
	pid := n.frozen
	n.frozen = 0
	if err := signalCont(pid); err != nil {
		return fmt.Errorf("testbroker: thaw node %s: %w", n.name, err)
	}
	return nil
}

// Kill ends the node at once with SIGKILL to its Erlang VM (and the script
// and helpers around it), as a power loss or the kernel's OOM killer would:
// no clean shutdown, nothing flushed that the broker had not flushed itself.
// The data stays; Start boots the node on it, through the broker's crash
// recovery. Killing a stopped node does nothing.
func (n *Node) Kill() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return errors.New("testbroker: node is closed")
	}
	n.killLocked()
	return nil
}

// Restart stops the node cleanly and starts it again on the same data.
func (n *Node) Restart() error {
	if err := n.Stop(); err != nil {
		return err
	}
	return n.Start()
}

// Close kills the node and, if StartPrivateNode made its directory, removes
// it. It does not bother with a clean shutdown: the data is thrown away. Close
// is idempotent; the node cannot be started again.
func (n *Node) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	n.closed = true
	n.killLocked()
	if n.ownsDir {
		if err := os.RemoveAll(n.dir); err != nil {
			return fmt.Errorf("testbroker: removing %s: %w", n.dir, err)
		}
	}
	return nil
}

// killLocked kills the node's whole process group (the script, the Erlang VM
// and its helpers) and waits for the script to be reaped.
func (n *Node) killLocked() {
	p := n.proc
	n.proc = nil
	n.frozen = 0 // SIGKILL ends a stopped process too
	if p == nil {
		return
	}
	killGroup(p.cmd.Process.Pid)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		// Unreachable in practice (SIGKILL cannot be ignored); never hang
		// a test binary on it.
	}
}

// logTail returns the last lines of the node's log and of the script's output,
// for diagnosing a failed boot or test.
func (n *Node) logTail(lines int) string {
	var b strings.Builder
	for _, f := range []string{filepath.Join(n.dir, "log", n.name+".log"), filepath.Join(n.dir, "server.out")} {
		data, err := os.ReadFile(f)
		if err != nil || len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(all) > lines {
			all = all[len(all)-lines:]
		}
		fmt.Fprintf(&b, "==> %s <==\n%s\n", f, strings.Join(all, "\n"))
	}
	return b.String()
}
