//! `regime bench` (placeholder until the benchmark lands).
