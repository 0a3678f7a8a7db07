package results

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// AccountingSchema names the format of accounting.json.
const AccountingSchema = "warren.accounting/v1"

// Accounting is the raw material of a run's message accounting: what each
// publisher had confirmed for each queue, and which sequence numbers each
// queue delivered. Integrity is computed from it, and the accountings of
// several generator instances of one shared run merge into one (see
// Merge): a message published by one instance and consumed by
// another is then matched like any other.
type Accounting struct {
	Schema     string    `json:"schema"`
	RunID      string    `json:"run_id"`
	InstanceID string    `json:"instance_id"`
	EndedAt    time.Time `json:"ended_at"`
	// Publishers are this instance's publishers (several instances'
	// after a merge), by id.
	Publishers []PublisherAccount `json:"publishers"`
	Queues     []QueueAccount     `json:"queues"`
}

// PublisherAccount is what one publisher sent and had confirmed.
type PublisherAccount struct {
	ID uint64 `json:"id"`
	// Expected counts the copies each queue should receive: every
	// confirmed message (every sent one without confirms), once per queue
	// its routing key reaches.
	Expected map[string]int64 `json:"expected"`
	// NotAcked lists the sequence numbers nacked or never confirmed:
	// expected nowhere, so arriving is no loss and not counted as received.
	NotAcked    []uint64 `json:"not_acked,omitempty"`
	Unconfirmed int64    `json:"unconfirmed"`
	// Republished counts sends made again after a lost channel.
	Republished int64 `json:"republished,omitempty"`
}

// QueueAccount is what one queue delivered to the run's consumers.
type QueueAccount struct {
	Queue string `json:"queue"`
	// DeadLetter is set on a queue that dead-lettered messages reach.
	DeadLetter bool `json:"dead_letter,omitempty"`
	// Leftover is how many messages were still in the queue at the end.
	Leftover int64 `json:"leftover"`
	// LeftoverUnknown says why the broker could not be asked, at the end,
	// how many messages the queue still held (it was down or unreachable);
	// "" when it answered. Leftover is then 0 and means nothing: the
	// queue's undelivered copies are unknown, neither lost nor unconsumed.
	LeftoverUnknown string `json:"leftover_unknown,omitempty"`
	// Gone is set when the broker answered that the queue no longer
	// existed at the end: it was deleted during the run, and what it held
	// went with it.
	Gone        bool  `json:"gone,omitempty"`
	Duplicated  int64 `json:"duplicated"`
	Reordered   int64 `json:"reordered"`
	Redelivered int64 `json:"redelivered"`
	Rejected    int64 `json:"rejected"`
	Foreign     int64 `json:"foreign"`
	// Received holds the distinct sequence numbers delivered, per publisher.
	Received []ReceivedSeqs `json:"received"`
}

// ReceivedSeqs is the set of one publisher's sequence numbers a queue
// delivered.
type ReceivedSeqs struct {
	Publisher uint64  `json:"publisher"`
	Seqs      *SeqSet `json:"seqs"`
}

// Integrity reconciles the deliveries with what publishers had confirmed.
// Per queue: lost = expected − received, less what is still queued
// (unconsumed: late, not lost). Lost means seen to be gone: when the broker
// could not be asked what the queue still held, its undelivered copies are
// unknown instead, neither lost nor unconsumed. Deliveries of a message that was nacked or
// never confirmed are not counted as received, so the identity holds
// exactly. Copies found in a dead-letter queue beyond what was routed there
// left their queue on purpose (rejects, TTL, length limits): they are taken
// off the loss as a count, which is exact when one queue feeds each
// dead-letter queue.
func (a *Accounting) Integrity() Integrity {
	var in Integrity
	expected := map[string]int64{}
	notAcked := map[uint64][]uint64{}
	for _, p := range a.Publishers {
		for q, n := range p.Expected {
			expected[q] += n
		}
		notAcked[p.ID] = p.NotAcked
		in.Unconfirmed += p.Unconfirmed
		in.Republished += p.Republished
	}
	for _, q := range a.Queues {
		var received int64
		for _, r := range q.Received {
			na, known := notAcked[r.Publisher]
			if !known {
				// A publisher of this run that no merged instance
				// accounts for: its messages cannot be reconciled.
				in.Foreign += int64(r.Seqs.Len())
				continue
			}
			received += int64(r.Seqs.Len())
			for _, seq := range na {
				if r.Seqs.Contains(seq) {
					received--
				}
			}
		}
		exp := expected[q.Queue]
		lost := max(exp-received, 0)
		var unconsumed, unknown int64
		if q.LeftoverUnknown != "" {
			unknown, lost = lost, 0
		} else {
			unconsumed = min(q.Leftover, lost)
			lost -= unconsumed
		}
		if extra := received + q.Leftover - exp; q.DeadLetter && extra > 0 {
			in.DeadLettered += extra
		}
		in.Queues = append(in.Queues, QueueIntegrity{
			Queue: q.Queue, Expected: exp, Received: received, Lost: lost,
			Unconsumed: unconsumed, Unknown: unknown, UnknownWhy: q.LeftoverUnknown, Gone: q.Gone,
			Duplicated: q.Duplicated, Reordered: q.Reordered,
		})
		in.Expected += exp
		in.Received += received
		in.Lost += lost
		in.Unconsumed += unconsumed
		in.Unknown += unknown
		in.Duplicated += q.Duplicated
		in.Reordered += q.Reordered
		in.Redelivered += q.Redelivered
		in.Rejected += q.Rejected
		in.Foreign += q.Foreign
	}
	// Dead-lettered copies left their queue on purpose: they account for
	// lost copies first, then for unknown ones.
	taken := min(in.Lost, in.DeadLettered)
	in.Lost -= taken
	in.Unknown = max(in.Unknown-(in.DeadLettered-taken), 0)
	return in
}

// mergeAccounting joins the accountings of the instances of one shared run.
// Each queue's received sets are united per publisher; a number that two
// instances both received was delivered twice and counts as duplicated.
// What was left in a queue is taken from the instance that ended last, which
// saw the queue after everyone else had stopped.
func mergeAccounting(parts ...*Accounting) (*Accounting, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("nothing to merge")
	}
	out := &Accounting{Schema: AccountingSchema, RunID: parts[0].RunID}
	owner := map[uint64]string{}
	instances := map[string]bool{}
	queues := map[string]*QueueAccount{}
	sets := map[string]map[uint64]*SeqSet{}
	ended := map[string]time.Time{}
	var names []string
	for _, p := range parts {
		if p.RunID != out.RunID {
			return nil, fmt.Errorf("instance %s ran as run %s, instance %s as run %s: only instances started with the same --run-id share their messages", parts[0].InstanceID, out.RunID, p.InstanceID, p.RunID)
		}
		if instances[p.InstanceID] {
			return nil, fmt.Errorf("instance %s appears twice: give each instance its own --instance-id, and merge each run directory once", p.InstanceID)
		}
		instances[p.InstanceID] = true
		if p.EndedAt.After(out.EndedAt) {
			out.EndedAt = p.EndedAt
		}
		for _, pub := range p.Publishers {
			if other, dup := owner[pub.ID]; dup {
				return nil, fmt.Errorf("instances %s and %s have a publisher with the same id %#x: their instance ids hash alike, so rename one", other, p.InstanceID, pub.ID)
			}
			owner[pub.ID] = p.InstanceID
			out.Publishers = append(out.Publishers, pub)
		}
		for _, q := range p.Queues {
			m := queues[q.Queue]
			if m == nil {
				m = &QueueAccount{Queue: q.Queue}
				queues[q.Queue] = m
				sets[q.Queue] = map[uint64]*SeqSet{}
				names = append(names, q.Queue)
			}
			m.DeadLetter = m.DeadLetter || q.DeadLetter
			if !p.EndedAt.Before(ended[q.Queue]) {
				// The last to end saw the queue after everyone else had
				// stopped; if it could not ask the broker, nobody knows.
				ended[q.Queue], m.Leftover, m.LeftoverUnknown, m.Gone = p.EndedAt, q.Leftover, q.LeftoverUnknown, q.Gone
			}
			m.Duplicated += q.Duplicated
			m.Reordered += q.Reordered
			m.Redelivered += q.Redelivered
			m.Rejected += q.Rejected
			m.Foreign += q.Foreign
			for _, r := range q.Received {
				set := sets[q.Queue][r.Publisher]
				if set == nil {
					set = &SeqSet{}
					sets[q.Queue][r.Publisher] = set
				}
				m.Duplicated += int64(set.Union(r.Seqs))
			}
		}
	}
	var ids []string
	for id := range instances {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out.InstanceID = strings.Join(ids, ",")
	sort.Slice(out.Publishers, func(i, j int) bool { return out.Publishers[i].ID < out.Publishers[j].ID })
	sort.Strings(names)
	for _, name := range names {
		q := queues[name]
		for id, set := range sets[name] {
			q.Received = append(q.Received, ReceivedSeqs{Publisher: id, Seqs: set})
		}
		sort.Slice(q.Received, func(i, j int) bool { return q.Received[i].Publisher < q.Received[j].Publisher })
		out.Queues = append(out.Queues, *q)
	}
	return out, nil
}

// WriteFile writes the accounting to path atomically.
func (a *Accounting) WriteFile(path string) error { return WriteJSONFile(path, a) }

// ReadAccounting reads an accounting.json.
func ReadAccounting(path string) (*Accounting, error) {
	var a Accounting
	if err := readJSONFile(path, "accounting", AccountingSchema, &a, &a.Schema); err != nil {
		return nil, err
	}
	for _, q := range a.Queues {
		for _, r := range q.Received {
			if r.Seqs == nil {
				return nil, fmt.Errorf("%s: queue %s: publisher %#x has no seqs", path, q.Queue, r.Publisher)
			}
		}
	}
	return &a, nil
}
