package main

import (
	"github.com/spf13/pflag"

	"github.com/warrenmq/warren/internal/rabbit"
)

// brokerFlags reads --uri and --management-uri where the user set them
// (even to ""); a flag left unset, or one the command does not have,
// leaves the environment's or the scenario's value.
func brokerFlags(fs *pflag.FlagSet) rabbit.Override {
	given := func(name string) *string {
		if !fs.Changed(name) {
			return nil
		}
		v := fs.Lookup(name).Value.String()
		return &v
	}
	return rabbit.Override{URI: given("uri"), ManagementURI: given("management-uri")}
}

// brokerAddresses decides which broker a command reaches: the scenario
// file's addresses (file), then the environment, then the flags the user
// set.
func brokerAddresses(c *cli, fs *pflag.FlagSet, file rabbit.Addresses) rabbit.Addresses {
	return rabbit.Resolve(file, c.getenv, brokerFlags(fs))
}
