//! `report`: statistics, tables and plots from a results directory.
pub mod along;
pub mod columns;
pub mod compare;
pub mod contrasts;
mod curve_figures;
pub mod export;
pub mod figures;
pub mod gain_figures;
pub mod pilot;
pub mod plots;
pub mod provenance;
pub mod stats;
pub mod tables;
pub mod tidy;
pub mod trends;
