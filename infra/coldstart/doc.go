// Package coldstart measures each function's cold start against a hello-world Lambda built the
// same way (BenchmarkColdStart): the time from exec to the function's first request for an
// invocation, with a fake Lambda Runtime API on loopback. It has no code of its own.
package coldstart
