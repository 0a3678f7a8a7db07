package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/warrenmq/warren/health"
	"github.com/warrenmq/warren/internal/rabbit"
	"github.com/warrenmq/warren/scenarios"
)

func lintCmd(ctx context.Context, c *cli, args []string) int {
	fs := newFlags(c, "lint",
		"lint [FILE | --management-uri URL] [--vhost V] [--config rabbitmq.conf] [--disable RULE] [--json]\n\n"+
			"Checks a broker's configuration against the production checklist: durable\n"+
			"exchanges and queues, dead-lettering that reaches a queue, length limits or TTLs,\n"+
			"an overflow behaviour chosen on purpose, quorum queues, no classic mirroring,\n"+
			"alternate exchanges, the guest user and heartbeats. Each finding gives the rule,\n"+
			"the object, why it matters and the fix, as the arguments or policy to set.\n\n"+
			"FILE is a definitions export (rabbitmqctl export_definitions, GET /api/definitions)\n"+
			"or a scenario file or built-in name; without FILE, lint reads the live broker\n"+
			"through its management API (also its connections' heartbeats). --config adds the\n"+
			"broker's rabbitmq.conf (heartbeat, loopback_users). 'warren lint --rules' lists\n"+
			"the rules.\n\n"+healthExitHelp,
		"warren lint definitions.json --config /etc/rabbitmq/rabbitmq.conf\n"+
			"warren lint --management-uri http://admin:secret@rabbit-1:15672/ --vhost orders --json\n"+
			"warren lint greenhouse --disable quorum-queue   # a built-in scenario's topology")
	fs.String("management-uri", "", "management API to read instead of a FILE (env WARREN_MANAGEMENT_URI; default port 15672 of WARREN_URI's host, else "+scenarios.RedactURI(rabbit.DefaultManagementURI)+")")
	vhost := fs.String("vhost", "", "only this virtual host's objects")
	config := fs.String("config", "", "the broker's rabbitmq.conf, for the heartbeat and guest rules")
	disable := fs.StringArray("disable", nil, "leave out a rule on purpose, e.g. --disable quorum-queue (repeatable, or comma-separated)")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	listRules := fs.Bool("rules", false, "list the rules with their severity and exit")
	timeout := fs.Duration("timeout", 10*time.Second, "give up on a management API request after this long")
	if done, code := healthParseFlags(c, fs, args); done {
		return code
	}
	if *listRules {
		healthPrintRules(c, health.LintRules())
		return exitOK
	}
	if fs.NArg() > 1 {
		return fail(c, "lint", exitUnknown, "give one definitions or scenario file, got %d arguments", fs.NArg())
	}
	if fs.NArg() == 1 && fs.Changed("management-uri") {
		return fail(c, "lint", exitUnknown, "give a FILE or --management-uri, not both")
	}
	disabled, err := healthDisabled(*disable, health.LintRules())
	if err != nil {
		return fail(c, "lint", exitUnknown, "%v", err)
	}

	var in *health.LintInput
	var source string
	if fs.NArg() == 1 {
		source = fs.Arg(0)
		if in, err = lintFile(source); err != nil {
			return fail(c, "lint", exitUnknown, "%s: %v", source, err)
		}
		if *vhost != "" {
			in.Definitions.OnlyVhost(*vhost)
		}
	} else {
		uri := healthManagementURI(c, brokerFlags(fs))
		source = scenarios.RedactURI(uri)
		client, err := health.Dial(ctx, uri, *timeout)
		if err == nil {
			in, err = client.LintInput(*vhost)
			client.Close()
		}
		if err != nil {
			// No verdict: the report says UNKNOWN, on stdout like any other.
			rep := health.UnknownReport(health.SchemaLint, source, healthHint(err))
			rep.Vhost = *vhost
			if *jsonOut {
				_ = rep.WriteJSON(c.stdout)
			} else {
				_ = rep.WriteLintText(c.stdout)
			}
			return exitUnknown
		}
	}
	if *config != "" {
		f, err := os.Open(*config)
		if err != nil {
			return fail(c, "lint", exitUnknown, "--config: %v", err)
		}
		in.Config, err = health.ParseConfig(f)
		f.Close()
		if err != nil {
			return fail(c, "lint", exitUnknown, "--config %s: %v", *config, err)
		}
	}
	rep := lintReport(in, source, *vhost, disabled)
	if *jsonOut {
		err = rep.WriteJSON(c.stdout)
	} else {
		err = rep.WriteLintText(c.stdout)
	}
	if err != nil {
		return exitUnknown
	}
	return rep.ExitCode
}

// lintReport lints and wraps the findings in a report.
func lintReport(in *health.LintInput, source, vhost string, disabled map[string]bool) *health.Report {
	rep := health.NewReport(health.SchemaLint, source, health.Lint(in, disabled))
	rep.Vhost = vhost
	rep.Version = in.Version
	if rep.Version == "" {
		rep.Version = in.Definitions.Version()
	}
	d := in.Definitions
	rep.Counts = map[string]int{"queues": len(d.Queues), "exchanges": len(d.Exchanges), "policies": len(d.Policies)}
	if in.Connections != nil {
		rep.Counts["connections"] = len(in.Connections)
	}
	return rep
}

// lintFile reads a definitions file, or else a scenario file or built-in.
func lintFile(name string) (*health.LintInput, error) {
	data, err := os.ReadFile(name)
	if err == nil && health.LooksLikeDefinitions(data) {
		d, err := health.ReadDefinitions(strings.NewReader(string(data)))
		if err != nil {
			return nil, err
		}
		return &health.LintInput{Definitions: *d}, nil
	}
	s, serr := scenarios.Resolve(name)
	if serr != nil {
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		return nil, fmt.Errorf("neither a definitions file nor a scenario: %v", strings.ReplaceAll(serr.Error(), "\n", "; "))
	}
	d, mandatory := health.FromScenario(s)
	return &health.LintInput{Definitions: *d, Mandatory: mandatory}, nil
}
