package loadgen

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/results"
	"github.com/warrenmq/warren/scenarios"
)

// DefaultURI is the broker a run uses when neither the scenario nor an
// option names one.
const DefaultURI = rabbit.DefaultURI

// confirmWait bounds how long publishers wait, after the last send, for the
// broker's outstanding confirms.
const confirmWait = 10 * time.Second

// runner holds one run's shared state. Nothing in loadgen outlives it, so
// two runs in one process never interfere.
type runner struct {
	cfg        config
	s          *scenarios.Scenario
	addr       rabbit.Addresses // the options' over the scenario's
	uri        string           // addr.AMQP()
	runID      uint32
	seed       int64 // run.seed, or one picked for this run
	instanceID string
	instance   uint32
	shared     bool // part of a shared run (WithRunID) with other instances
	start      time.Time

	mu        sync.Mutex // guards recorders, events, outages and warnings
	recorders []*recorder
	handedOut int // recorders handed out, to spread goroutines over the pool
	events    []results.Event
	outages   []results.Outage
	warnings  []string
	links     []*link // every publisher and consumer connection
	stream    *results.SeriesWriter

	queues map[string]*queueTracker
	pubs   []*publisher
}

// newRecorder hands a publisher or consumer goroutine its recorder. Each
// recorder holds a few ~190 KB histograms, so a run with thousands of
// goroutines shares a small pool of them (recorders take a mutex, and with
// a few per core the sharing costs next to nothing).
func (r *runner) newRecorder() *recorder {
	r.mu.Lock()
	defer r.mu.Unlock()
	if limit := max(8, 4*runtime.GOMAXPROCS(0)); len(r.recorders) >= limit {
		rec := r.recorders[r.handedOut%len(r.recorders)]
		r.handedOut++
		return rec
	}
	rec := newRecorder()
	r.recorders = append(r.recorders, rec)
	r.handedOut++
	return rec
}

func (r *runner) warn(format string, args ...any) {
	r.mu.Lock()
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *runner) event(kind, format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, results.Event{At: time.Now().UTC(), Kind: kind, Message: fmt.Sprintf(format, args...)})
	r.mu.Unlock()
}

// Run drives the scenario against the broker and returns what it measured.
// It stops publishing when the scenario's duration or message bound is
// reached, or ctx is cancelled; then it waits for outstanding confirms and
// lets consumers drain for the scenario's drain time before it returns.
func Run(ctx context.Context, s *scenarios.Scenario, opts ...Option) (*results.Result, error) {
	r, err := newRunner(s, opts)
	if err != nil {
		return nil, err
	}
	setup, env, err := r.prepare()
	if err != nil {
		return nil, err
	}
	defer setup.Close()

	res, err := r.drive(ctx, env)
	if err != nil {
		return nil, err
	}
	res.Environment = env

	if s.Topology.Cleanup {
		if cch, err := setup.Channel(); err == nil {
			if err := cleanup(cch, s.Topology); err != nil {
				res.Warnings = append(res.Warnings, "cleanup after the run failed: "+err.Error())
			}
			cch.Close()
		}
	}
	return res, nil
}

// newRunner checks the scenario and sets up a run's identity.
func newRunner(s *scenarios.Scenario, opts []Option) (*runner, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	r := &runner{s: s, queues: map[string]*queueTracker{}}
	for _, o := range opts {
		o(&r.cfg)
	}
	if err := checkCleanup(s, r.cfg); err != nil {
		return nil, err
	}
	r.addr = rabbit.Addresses{URI: cmp.Or(r.cfg.uri, s.Broker.URI), ManagementURI: cmp.Or(r.cfg.mgmtURI, s.Broker.ManagementURI)}
	r.uri = r.addr.AMQP()
	r.instanceID = r.cfg.instanceID
	if r.instanceID == "" {
		host, _ := os.Hostname()
		r.instanceID = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	r.instance = InstanceHash(r.instanceID)
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	r.runID = binary.LittleEndian.Uint32(b[:])
	if r.cfg.runName != "" {
		r.runID, r.shared = SharedRunID(r.cfg.runName), true
	}
	r.seed = s.Run.Seed
	if r.seed == 0 {
		// Recorded in the result, so the run can be repeated exactly.
		r.seed = int64(r.runID)<<16 | 1
	}
	if t := s.Broker.TLS; t != nil && t.InsecureSkipVerify {
		r.warn("TLS verification of the broker's certificate was off (broker.tls.insecure_skip_verify): for test brokers only")
	}
	return r, nil
}

// ErrSharedCleanup refuses topology.cleanup in a run that other instances
// may share: the first instance to end would delete the queues under the
// others. Delete the topology once every instance has ended, with Cleanup
// ('warren merge --cleanup').
var ErrSharedCleanup = errors.New("cleanup in a shared run would delete the queues under the instances still running")

func checkCleanup(s *scenarios.Scenario, cfg config) error {
	if !s.Topology.Cleanup {
		return nil
	}
	switch {
	case cfg.runName != "":
		return fmt.Errorf("%w (run %q): leave cleanup off and delete them once every instance has ended, with Cleanup or 'warren merge --cleanup'", ErrSharedCleanup, cfg.runName)
	case cfg.instanceID != "":
		return fmt.Errorf("%w (instance %q of several): leave cleanup off and delete them once every instance has ended, with Cleanup or 'warren merge --cleanup'", ErrSharedCleanup, cfg.instanceID)
	}
	return nil
}

// Cleanup deletes the exchanges and queues the scenario declares, on the
// broker the scenario and opts name (WithURI; TLS and heartbeat from the
// scenario): what a run with topology.cleanup does when it ends. A shared
// run calls it once every instance has ended. Queues and exchanges that no
// longer exist are no error.
func Cleanup(s *scenarios.Scenario, opts ...Option) error {
	r := &runner{s: s}
	for _, o := range opts {
		o(&r.cfg)
	}
	r.addr = rabbit.Addresses{URI: cmp.Or(r.cfg.uri, s.Broker.URI)}
	r.uri = r.addr.AMQP()
	r.instanceID = "cleanup"
	conn, err := r.dial("cleanup")
	if err != nil {
		return err
	}
	defer conn.Close()
	var first error
	del := func(what string, f func(*amqp.Channel) error) {
		// A refusal closes the channel: each deletion gets its own.
		ch, err := conn.Channel()
		if err == nil {
			err = f(ch)
			ch.Close()
		}
		if err != nil && first == nil {
			first = fmt.Errorf("delete %s: %w", what, err)
		}
	}
	for _, q := range s.Topology.Queues {
		del(fmt.Sprintf("queue %q", q.Name), func(ch *amqp.Channel) error {
			_, err := ch.QueueDelete(q.Name, false, false, false)
			return err
		})
	}
	for _, e := range s.Topology.Exchanges {
		del(fmt.Sprintf("exchange %q", e.Name), func(ch *amqp.Channel) error { return ch.ExchangeDelete(e.Name, false, false) })
	}
	return first
}

// prepare connects, reads what the broker is, and declares the topology.
// The caller closes the returned connection.
func (r *runner) prepare() (*amqp.Connection, results.Environment, error) {
	setup, err := r.dial("setup")
	if err != nil {
		return nil, results.Environment{}, err
	}
	env := r.environment(setup)
	ch, err := setup.Channel()
	if err != nil {
		setup.Close()
		return nil, env, fmt.Errorf("open a channel on %s: %w", scenarios.RedactURI(r.uri), err)
	}
	if err := declare(ch, r.s.Topology); err != nil {
		setup.Close()
		return nil, env, err
	}
	ch.Close()
	for _, q := range r.s.Topology.Queues {
		r.queues[q.Name] = newQueueTracker(q.Name)
	}
	return setup, env, nil
}

func (r *runner) environment(conn *amqp.Connection) results.Environment {
	env := results.Environment{
		WarrenVersion: r.cfg.version,
		GoVersion:     runtime.Version(),
		OS:            runtime.GOOS,
		Arch:          runtime.GOARCH,
		CPUs:          runtime.NumCPU(),
		InstanceID:    r.instanceID,
		BrokerURI:     scenarios.RedactURI(r.uri),
	}
	env.BrokerProduct = rabbit.ServerProperty(conn, "product")
	env.BrokerVersion = rabbit.ServerProperty(conn, "version")
	env.BrokerNode = rabbit.ServerProperty(conn, "cluster_name")
	return env
}

// drive starts consumers, then publishers, collects once a second, and
// assembles the result.
func (r *runner) drive(ctx context.Context, env results.Environment) (*results.Result, error) {
	s := r.s
	// Consumers attach before anyone publishes, so the first seconds are
	// not distorted by a backlog that only exists because nobody listened.
	consumers, err := r.startConsumers()
	if err != nil {
		return nil, err
	}
	stopConsumers := func() { inParallel(consumers, (*consumer).stop) }
	var pubs []*publisher
	// abandon stops the consumers and publishers when the run cannot go
	// ahead; the monitor and the metrics, once set up, are closed by their
	// deferred calls after it, as on a run's normal end.
	abandon := func(err error) (*results.Result, error) {
		stopConsumers()
		closeAll(pubs)
		return nil, err
	}
	if pubs, err = r.startPublishers(); err != nil {
		return abandon(err)
	}
	r.pubs = pubs

	mon, err := r.startMonitor(env.BrokerNode)
	if err != nil {
		return abandon(err)
	}
	defer mon.close()

	col := newCollector(r)
	r.stream = results.NewSeriesWriter(r.cfg.series)
	if reg := r.cfg.metrics; reg != nil {
		pc := newPromCollector(r, col, mon)
		if err := reg.Register(pc); err != nil {
			return abandon(fmt.Errorf("register metrics: %w", err))
		}
		defer reg.Unregister(pc)
	}
	if err := r.waitForStart(ctx); err != nil {
		return abandon(err)
	}
	if f := r.cfg.started; f != nil {
		info := results.StartInfo{Schema: results.RunSchema, ID: runIDString(r.runID), Scenario: r.maskedScenario(), Environment: env, StartedAt: time.Now().UTC()}
		if err := f(info); err != nil {
			return abandon(err)
		}
	}
	cpuBefore := readCPU()
	r.start = time.Now()
	started := r.start
	pubCtx, cancelPub := context.WithCancel(ctx)
	if d := s.Run.Duration.Std(); d > 0 {
		pubCtx, cancelPub = context.WithDeadline(ctx, started.Add(d))
	}
	defer cancelPub()

	var pubWG sync.WaitGroup
	for _, p := range pubs {
		pubWG.Go(func() { p.run(pubCtx, started) })
	}
	// The collector, the monitor and the footprint sampler run until
	// consumers and publishers have stopped.
	stopSampling := make(chan struct{})
	var sampling sync.WaitGroup
	var selfSamples []results.SelfSample
	sampling.Go(func() { col.loop(stopSampling) })
	sampling.Go(func() { mon.loop(stopSampling) })
	sampling.Go(func() { selfSamples = sampleSelf(started, s.Run.Duration.Std(), stopSampling) })

	pubWG.Wait()
	pubEnded := time.Now()
	col.setDraining()
	if len(consumers) > 0 {
		r.waitForDrain(mon)
	}
	if len(r.deadLetterQueues()) > 0 {
		// The last rejects may still be on their way to a dead-letter
		// queue: give them a moment to land and be counted.
		time.Sleep(250 * time.Millisecond)
	}
	stopConsumers()
	inParallel(pubs, (*publisher).close)
	for _, l := range r.links {
		l.close()
	}
	close(stopSampling)
	sampling.Wait()
	r.recordLeftovers(mon)

	res := r.result(col, started, pubEnded)
	res.Consumers = deliveries(consumers)
	res.Broker = mon.view
	res.Generator = generatorCost(cpuBefore, readCPU(), time.Since(started), res.Summary.Published+res.Summary.Consumed)
	res.Generator.Samples = selfSamples
	res.Warnings = append(res.Warnings, growthWarnings(selfSamples)...)
	if res.Generator.CoreShare > 0.9 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("warren used %.0f%% of a core: the generator may have been the limit, so the results may understate the broker", 100*res.Generator.CoreShare))
	}
	return res, nil
}

// waitForDrain lets consumers go on once publishing has ended, until every
// expected copy arrived, the drain time is up, or StopNow.
func (r *runner) waitForDrain(mon *monitor) {
	deadline := time.Now().Add(r.s.Run.Drain.Std())
	drained := func() bool { return r.expectedCopies() <= r.receivedCopies() }
	if r.shared {
		drained = r.sharedDrained(mon)
	}
	for time.Now().Before(deadline) {
		if drained() {
			return
		}
		select {
		case <-r.cfg.stopNow:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// leftoverWait bounds how long the end-of-run check waits for the broker
// to answer whether a queue still holds messages: long enough to ride out a
// reconnect, short enough not to hold up a run whose broker is down.
const leftoverWait = 5 * time.Second

// recordLeftovers notes what is still in each queue when the run ends: it
// was not consumed in time, but it is not lost. Consumers have closed their
// channels, so what they had prefetched is back among the ready messages.
// A queue the broker says is gone was deleted during the run. When the
// broker cannot be asked, the queue's undelivered copies are unknown: the
// accounting then never calls them lost.
func (r *runner) recordLeftovers(mon *monitor) {
	deadline := time.Now().Add(leftoverWait)
	names := make([]string, 0, len(r.queues))
	for name := range r.queues {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		q := r.queues[name]
		n, err := mon.passiveUntil(name, deadline)
		var amqpErr *amqp.Error
		switch {
		case err == nil:
			q.setLeftover(int64(n.Messages))
		case errors.As(err, &amqpErr) && amqpErr.Code == amqp.NotFound:
			q.setGone()
		default:
			// The reports say that the broker could not be asked; the
			// reason is the failure itself.
			q.setLeftoverUnknown(err.Error())
		}
	}
}

// expectedCopies is how many message copies the queues should receive, from
// what publishers had confirmed (or sent, without confirms).
func (r *runner) expectedCopies() int64 {
	var n int64
	for _, p := range r.pubs {
		for _, c := range p.expectedPerQueue() {
			n += c
		}
	}
	return n
}

// waitForStart holds publishing until the start time of WithStartAt.
func (r *runner) waitForStart(ctx context.Context) error {
	at := r.cfg.startAt
	if at.IsZero() {
		return nil
	}
	wait := time.Until(at)
	if wait < -time.Second {
		r.warn("publishing began %s after the --start-at time %s", (-wait).Round(time.Millisecond), at.UTC().Format(time.RFC3339))
	}
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("interrupted while waiting for the start time %s", at.UTC().Format(time.RFC3339))
	}
}

// sharedDrained tells, for a shared run, when the drain may end: no instance
// knows what the others had confirmed, so it waits until no delivery has
// arrived for two seconds and the monitor's latest sample, taken in that
// quiet time, found every queue of the run empty.
func (r *runner) sharedDrained(mon *monitor) func() bool {
	last, lastChange := int64(-1), time.Now()
	return func() bool {
		now := time.Now()
		if n := r.receivedCopies(); n != last {
			last, lastChange = n, now
			return false
		}
		if now.Sub(lastChange) < 2*time.Second {
			return false
		}
		sample, ok := mon.latest()
		if !ok {
			return false
		}
		for _, q := range sample.Queues {
			if q.Ready > 0 {
				return false
			}
		}
		return true
	}
}

func (r *runner) receivedCopies() int64 {
	var n int64
	for _, q := range r.queues {
		n += q.distinct()
	}
	return n
}

func (r *runner) result(col *collector, started, pubEnded time.Time) *results.Result {
	s := r.s
	res := &results.Result{
		Schema:     results.ResultSchema,
		ID:         runIDString(r.runID),
		Scenario:   r.maskedScenario(),
		StartedAt:  started.UTC(),
		EndedAt:    time.Now().UTC(),
		Duration:   scenarios.Duration(pubEnded.Sub(started).Round(time.Millisecond)),
		Latency:    map[string]results.LatencySummary{},
		Histograms: map[string]string{},
		Series:     col.series,
	}
	for m := metricID(0); m < numMetrics; m++ {
		h := col.total.Histograms[m]
		if h.TotalCount() == 0 {
			continue
		}
		// A histogram that cannot be encoded still gives its percentiles.
		_ = res.SetHistogram(m.Name(), h)
	}
	all := col.all
	secs := pubEnded.Sub(started).Seconds()
	sum := &res.Summary
	sum.Published = all.Counters[counterPublished]
	sum.Confirmed = all.Counters[counterConfirmed]
	sum.Nacked = all.Counters[counterNacked]
	sum.Returned = all.Counters[counterReturned]
	sum.Republished = all.Counters[counterRepublished]
	sum.Consumed = all.Counters[counterConsumed]
	sum.BytesPublished = all.Counters[counterBytesPublished]
	for _, p := range r.pubs {
		sum.Unsent += p.unsentCount()
	}
	if secs > 0 {
		sum.PublishRate = float64(sum.Published) / secs
		sum.ConfirmRate = float64(sum.Confirmed) / secs
		sum.ConsumeRate = float64(sum.Consumed) / secs
	}
	for _, p := range s.Publishers {
		if p.Rate.Kind() != scenarios.RateUnlimited {
			sum.TargetRate += p.Rate.Mean(pubEnded.Sub(started))
		}
	}
	res.Accounting = r.accounting()
	res.Integrity = res.Accounting.Integrity()
	res.Integrity.Partial = r.shared
	r.mu.Lock()
	res.Events = append(res.Events, r.events...)
	res.Outages = append(res.Outages, r.outages...)
	sort.SliceStable(res.Events, func(i, j int) bool { return res.Events[i].At.Before(res.Events[j].At) })
	res.Warnings = append(res.Warnings, r.warnings...)
	r.mu.Unlock()
	res.Warnings = append(res.Warnings, res.Judge()...)
	res.Verdicts = results.Evaluate(res)
	return res
}

// maskedScenario is the scenario as run, for results: passwords hidden,
// the seed that was used filled in.
func (r *runner) maskedScenario() *scenarios.Scenario {
	masked := *r.s
	masked.Broker.URI = scenarios.RedactURI(r.addr.AMQP())
	masked.Broker.ManagementURI = scenarios.RedactURI(r.addr.ManagementURI)
	masked.Run.Seed = r.seed
	return &masked
}

func runIDString(id uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], id)
	return hex.EncodeToString(b[:])
}

// integrity reconciles what publishers had confirmed against what each
// queue received.
func (r *runner) integrity() results.Integrity {
	return r.accounting().Integrity()
}

// accounting collects the publishers' confirms and the queues' deliveries.
// It shares the queues' sets: call it once consumers have stopped.
func (r *runner) accounting() *results.Accounting {
	a := &results.Accounting{Schema: results.AccountingSchema, RunID: runIDString(r.runID), InstanceID: r.instanceID, EndedAt: time.Now().UTC()}
	for _, p := range r.pubs {
		a.Publishers = append(a.Publishers, results.PublisherAccount{
			ID: p.id, Expected: p.expectedPerQueue(), NotAcked: p.notAckedSeqs(), Unconfirmed: p.unconfirmed(), Republished: p.republishedCount(),
		})
	}
	names := make([]string, 0, len(r.queues))
	for name := range r.queues {
		names = append(names, name)
	}
	sort.Strings(names)
	dlqs := r.deadLetterQueues()
	for _, name := range names {
		qa := r.queues[name].account()
		qa.DeadLetter = dlqs[name]
		a.Queues = append(a.Queues, qa)
	}
	return a
}

// deadLetterQueues lists the queues that dead-lettered messages reach: those
// bound to a dead-letter exchange, with the dead-letter routing key or, by
// default, the keys the publishers use.
func (r *runner) deadLetterQueues() map[string]bool {
	out := map[string]bool{}
	for _, q := range r.s.Topology.Queues {
		if q.DeadLetterExchange == "" {
			continue
		}
		keys := []string{q.DeadLetterRoutingKey}
		if q.DeadLetterRoutingKey == "" {
			keys = keys[:0]
			for _, p := range r.pubs {
				keys = append(keys, p.keys.Keys...)
			}
		}
		for _, k := range keys {
			for _, dlq := range r.s.RouteQueues(q.DeadLetterExchange, k, nil) {
				out[dlq] = true
			}
		}
	}
	return out
}

// errClosed reports that a publisher's or consumer's channel was closed by
// the broker.
var errClosed = errors.New("channel closed by the broker")

// collector merges the recorders once a second.
type collector struct {
	r        *runner
	interval *interval // scratch for one second
	total    *interval // whole run, warm-up excluded
	all      *interval // whole run, counters including warm-up
	series   []results.Second
	last     time.Time

	mu       sync.Mutex // guards draining, and total and all against a scrape
	draining bool
}

// snapshot copies the running totals for a metrics scrape.
func (c *collector) snapshot() ([numCounters]int64, [numMetrics]*hdrhistogram.Histogram) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var hs [numMetrics]*hdrhistogram.Histogram
	for m, h := range c.total.Histograms {
		if h != nil {
			hs[m] = h.Clone()
		}
	}
	return c.all.Counters, hs
}

func newCollector(r *runner) *collector {
	return &collector{r: r, interval: newInterval(), total: newInterval(), all: newInterval()}
}

func (c *collector) setDraining() {
	c.mu.Lock()
	c.draining = true
	c.mu.Unlock()
}

func (c *collector) loop(stop <-chan struct{}) {
	var hlog *results.HlogWriter
	if c.r.cfg.hlog != nil {
		hlog, _ = results.NewHlogWriter(c.r.cfg.hlog, c.r.start)
	}
	c.last = c.r.start
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case now := <-tick.C:
			c.collect(now, hlog, false)
		case <-stop:
			c.collect(time.Now(), hlog, true)
			return
		}
	}
}

func (c *collector) collect(now time.Time, hlog *results.HlogWriter, final bool) {
	c.interval.Reset()
	c.r.mu.Lock()
	recs := c.r.recorders
	c.r.mu.Unlock()
	for _, rec := range recs {
		rec.Swap(c.interval)
	}
	iv := c.interval
	elapsed := now.Sub(c.r.start)
	c.mu.Lock()
	// The interval ending at the first tick past the warm-up covers the
	// warm-up's last second: ticks come a little late, so an interval
	// belongs to the warm-up until half a second past its end.
	if warm := c.r.s.Run.WarmUp.Std(); warm == 0 || elapsed >= warm+500*time.Millisecond {
		c.total.Merge(iv)
	} else {
		// Warm-up seconds count in the totals of messages, not latency.
		c.total.Counters = addCounters(c.total.Counters, iv.Counters)
	}
	c.all.Counters = addCounters(c.all.Counters, iv.Counters)
	c.mu.Unlock()
	e2e := iv.Histograms[metricEndToEnd]
	empty := iv.Counters == [numCounters]int64{}
	if n := len(c.series); final && now.Sub(c.last) < time.Second && (empty || n > 0 && now.Sub(c.last) < 500*time.Millisecond) {
		// A short last interval drawn as a second of its own would be a
		// false drop at the end of every chart: its counts join the
		// second before (its latencies are in the totals already).
		if n > 0 {
			last := &c.series[n-1]
			last.Published += iv.Counters[counterPublished]
			last.Confirmed += iv.Counters[counterConfirmed]
			last.Consumed += iv.Counters[counterConsumed]
		}
		return
	}
	t := int((elapsed + 500*time.Millisecond) / time.Second)
	if n := len(c.series); final && n > 0 {
		// A partial last interval is the next second, not a second
		// copy of the one before.
		t = c.series[n-1].T + 1
	}
	sec := results.Second{
		T:           t,
		Published:   iv.Counters[counterPublished],
		Confirmed:   iv.Counters[counterConfirmed],
		Consumed:    iv.Counters[counterConsumed],
		EndToEndP50: e2e.ValueAtQuantile(50),
		EndToEndP99: e2e.ValueAtQuantile(99),
		EndToEndMax: e2e.Max(),
	}
	c.series = append(c.series, sec)
	c.r.stream.WriteSecond(sec)
	if hlog != nil {
		for m := metricID(0); m < numMetrics; m++ {
			if h := iv.Histograms[m]; h.TotalCount() > 0 {
				hlog.WriteInterval(m.Name(), c.last, now, h)
			}
		}
	}
	c.last = now
	if f := c.r.cfg.progress; f != nil {
		c.mu.Lock()
		draining := c.draining
		c.mu.Unlock()
		f(Progress{
			Elapsed:     elapsed,
			Total:       c.r.s.Run.Duration.Std(),
			Draining:    draining,
			Published:   c.all.Counters[counterPublished],
			Confirmed:   c.all.Counters[counterConfirmed],
			Consumed:    c.all.Counters[counterConsumed],
			PublishRate: float64(sec.Published),
			ConsumeRate: float64(sec.Consumed),
			P99:         time.Duration(c.total.Histograms[metricEndToEnd].ValueAtQuantile(99)) * time.Microsecond,
		})
	}
}

func addCounters(a, b [numCounters]int64) [numCounters]int64 {
	for i := range a {
		a[i] += b[i]
	}
	return a
}

// inParallel calls f on every item at once and waits: stopping a thousand
// consumers one round trip after another would take seconds.
func inParallel[T any](items []T, f func(T)) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(it)
		}()
	}
	wg.Wait()
}

// forEachLimited calls f on every item, a bounded number at a time, and
// returns the first error.
func forEachLimited[T any](items []T, f func(T) error) error {
	sem := make(chan struct{}, 32)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(it); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}
