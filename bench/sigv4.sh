#!/usr/bin/env bash
# bench/sigv4.sh - SigV4 signing and verification throughput (figures only).
exec build/bench/bench_sigv4
