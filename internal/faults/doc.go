// Package faults tries to break migrate's guarantees with real processes:
// several migrate runs started at once against one database, and runs
// killed with SIGKILL at random moments, on every dialect. Its tests build
// nothing: the test binary doubles as a pmanager program (cli.Run with a
// chain of small migrations compiled in) and starts copies of itself.
package faults
