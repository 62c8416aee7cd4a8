// Package galera holds the tests that run pmanager against a 3-node MariaDB
// Galera cluster (multi-primary, synchronous replication): concurrent
// migrate runs spread over the nodes, a holder killed mid-run, the history
// read through every node. They need $PMANAGER_TEST_GALERA (scripts/galera
// start prints it; scripts/test starts the cluster) and skip without it.
package galera
