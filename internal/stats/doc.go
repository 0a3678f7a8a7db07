// Package stats holds the few statistics warren needs to tell a real
// difference from noise: order statistics (median, quantiles, a summary of
// spread), the Mann-Whitney U test, and Jain's fairness index.
//
// Everything here is pure: functions read their arguments, never change
// them, and keep no state, so they are table-tested and safe to call from
// any goroutine.
//
// Comparing many variants pair by pair multiplies the chances of a false
// difference; Holm adjusts a family of p-values so that alpha holds for
// the family as a whole.
//
// Load-test figures are rarely normal (latency has a long right tail,
// per-second rates cluster at the target), so the package prefers
// rank-based methods, which assume nothing about the shape of the
// distribution: the Mann-Whitney U test is the one benchstat uses for the
// same reason.
package stats
