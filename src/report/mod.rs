//! `report`: statistics, tables and plots from a results directory.
mod curve_figures;
pub mod figures;
pub mod gain_figures;
pub mod pilot;
pub mod plots;
pub mod provenance;
pub mod stats;
pub mod tables;
