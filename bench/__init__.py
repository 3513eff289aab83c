"""Load benchmarks of Mercato's hot paths; `bench/run.sh` is the entry point."""
