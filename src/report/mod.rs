//! `report`: statistics, tables and plots from a results directory.
pub mod stats;
