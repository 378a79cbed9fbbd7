//! `run`: the interpreter — trials driven by schedules and feedback policies,
//! executed on the engine, with results written as they finish.
pub mod controller;
pub mod data;
pub mod interrupt;
pub mod memory;
pub mod policy;
pub mod runner;
pub mod schedule;
pub mod slurm;
pub mod task;
pub mod trial;
