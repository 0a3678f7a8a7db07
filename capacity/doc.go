// Package capacity finds the highest publish rate a broker sustains for a
// scenario within a latency objective: the question capacity planning
// starts from.
//
// The package is pure. It never talks to a broker, reads no clock and keeps
// no package-level state; whatever runs a step at a given rate is handed in
// as a StepFunc, so the whole search can be tested with a fake broker.
//
//   - Judge decides whether one step passed: the publish rate reached
//     Objective.MinAchieved of the target, the queues did not grow (a
//     regression slope over the step's depth samples, judged against its own
//     noise), the end-to-end p99 from the intended send stayed within the
//     objective, no alarm blocked publishers and no confirmed message was
//     lost. When a step fails because the generator itself fell behind, the
//     verdict says so: the limit found is then warren's, not the broker's.
//   - Next is the search controller: given the steps so far, which rate to
//     try next, or that the search is over. It climbs geometrically from
//     Config.Start until a rate fails, retries a failed rate before
//     believing it, then bisects between the last pass and the first fail
//     down to Config.Resolution. Every path ends: a step limit, a time
//     budget, a floor and a ceiling.
//   - Search runs the loop: Next, the StepFunc, Judge, until Next says done,
//     and returns a Report (capacity.json, schema "warren.capacity/v1").
package capacity
