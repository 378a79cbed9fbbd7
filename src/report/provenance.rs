//! The provenance block at the top of `summary.md`: which build, BLAS kernel
//! and data made the records (stated once when they agree, every variant with
//! a warning when they do not), and which trials are missing or damaged, so
//! "n = 4 of 5" never passes silently.

use crate::results::{Inventory, TrialRecord};
use std::collections::{BTreeMap, BTreeSet};

/// Reads one provenance field of a record, as text.
type Field = Box<dyn Fn(&TrialRecord) -> String>;

/// The markdown block and the warnings to print.
pub struct ProvenanceBlock {
    pub markdown: String,
    pub warnings: Vec<String>,
}

/// The distinct values of one provenance field across records, with how
/// many records carry each.
fn variants(
    done: &[TrialRecord],
    field: impl Fn(&TrialRecord) -> String,
) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for r in done {
        *out.entry(field(r)).or_insert(0) += 1;
    }
    out
}

/// One line per experiment and data source: the files once, then the split
/// seeds its records were drawn with. The splits of one experiment share
/// their files by design, so a line per split would repeat them.
fn data_lines(done: &[TrialRecord]) -> Vec<String> {
    let mut seeds: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for r in done {
        let d = &r.provenance.data;
        let key = format!("{}: {} [{}", r.key.experiment, d.source(), d.sizes());
        seeds.entry(key).or_default().insert(d.split_seed);
    }
    seeds
        .into_iter()
        .map(|(key, s)| {
            let list: Vec<String> = s.iter().map(u64::to_string).collect();
            let noun = if s.len() == 1 {
                "split seed"
            } else {
                "split seeds"
            };
            format!("{key}; {} {noun}: {}]", s.len(), list.join(", "))
        })
        .collect()
}

/// Builds the block from the verified inventory of a directory.
pub fn block(inv: &Inventory) -> ProvenanceBlock {
    let mut md = String::from("## Provenance\n\n");
    let mut warnings = Vec::new();
    let fields: [(&str, Field); 4] = [
        ("regime", Box::new(|r| r.provenance.build.label())),
        ("BLAS", Box::new(|r| r.provenance.blas.identity())),
        (
            "data",
            Box::new(|r| format!("{}: {}", r.key.experiment, r.provenance.data.identity())),
        ),
        ("scale", Box::new(|r| r.scale.to_string())),
    ];
    for (name, field) in &fields {
        let v = variants(&inv.done, field);
        // Data legitimately differs between experiments of one file and
        // between the data splits of one experiment: compare within those.
        let mixed = if *name == "data" {
            let groups = variants(&inv.done, |r| {
                format!("{}#{}", r.key.experiment, r.provenance.data.split_seed)
            });
            v.len() > groups.len()
        } else {
            v.len() > 1
        };
        if *name == "data" && !mixed {
            for line in data_lines(&inv.done) {
                md.push_str(&format!("- data: {line}\n"));
            }
        } else {
            for (value, n) in &v {
                md.push_str(&format!("- {name}: {value}"));
                if mixed {
                    md.push_str(&format!(" ({n} trials)"));
                }
                md.push('\n');
            }
        }
        if mixed {
            warnings.push(format!(
                "the records disagree on {name}: {}",
                v.iter()
                    .map(|(k, n)| format!("{k} ({n} trials)"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    let total = inv.total();
    md.push_str(&format!("- trials: {} of {total} complete", inv.done.len()));
    if !inv.missing.is_empty() || !inv.damaged.is_empty() {
        md.push_str(&format!(
            "; {} missing, {} damaged (statistics use complete trials only)",
            inv.missing.len(),
            inv.damaged.len()
        ));
        warnings.push(format!(
            "{} of {total} trials are not complete ({} missing, {} damaged); `regime run FILE --resume DIR` runs them",
            inv.missing.len() + inv.damaged.len(),
            inv.missing.len(),
            inv.damaged.len()
        ));
    }
    let unsealed = inv
        .done
        .iter()
        .filter(|r| r.record_sha256.is_none())
        .count();
    if unsealed > 0 {
        // Printed, not written into summary.md: the summary of a run whose
        // records predate sealing stays as it was.
        warnings.push(format!(
            "{unsealed} of {} complete records were written before records were sealed with their own hash: an edit to their numbers would not be detected (`--resume` keeps them; a new run seals every record)",
            inv.done.len()
        ));
    }
    md.push_str("\n\n");
    for (id, why) in &inv.damaged {
        md.push_str(&format!("- damaged: {id} ({why})\n"));
        warnings.push(format!("damaged trial {id}: {why}"));
    }
    if !inv.damaged.is_empty() {
        md.push('\n');
    }
    ProvenanceBlock {
        markdown: md,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use crate::results::{Inventory, TrialRecord};

    fn record(id: &str, kernel: &str, split_seed: u64) -> TrialRecord {
        let mut p = crate::results::provenance::example(String::new());
        p.blas.kernel = kernel.into();
        p.data.split_seed = split_seed;
        TrialRecord {
            key: crate::plan::TrialKey {
                id: id.into(),
                experiment: "e".into(),
                arm: "a".into(),
                cell: 0,
                vary: Default::default(),
                seed_index: 0,
                seed: 0,
                split: 0,
                grid: None,
            },
            status: crate::results::Status::Ok,
            iters: 1,
            budget: 1,
            finals: None,
            final_lambda: 0.0,
            wall_seconds: 0.0,
            fired: vec![],
            lambda_path: vec![],
            data_origin: String::new(),
            scale: 1.0,
            curve_sha256: String::new(),
            provenance: p,
            // `block` only asks whether a seal exists; `results` checks it.
            record_sha256: Some("sealed".into()),
        }
    }

    #[test]
    fn records_written_before_sealing_are_counted_in_a_warning() {
        let mut legacy = record("t2", "Haswell", 1);
        legacy.record_sha256 = None;
        let inv = Inventory {
            done: vec![record("t1", "Haswell", 1), legacy],
            ..Inventory::default()
        };
        let b = super::block(&inv);
        assert!(
            b.warnings
                .iter()
                .any(|w| w.starts_with("1 of 2 complete records were written before")),
            "{:?}",
            b.warnings
        );
        assert!(!b.markdown.contains("sealed"), "{}", b.markdown);
    }

    #[test]
    fn records_that_disagree_are_warned_about_and_listed() {
        let inv = Inventory {
            done: vec![record("t1", "Haswell", 1), record("t2", "SkylakeX", 1)],
            missing: vec!["t3".into()],
            damaged: vec![("t4".into(), "curve missing".into())],
        };
        let b = super::block(&inv);
        assert!(
            b.warnings.iter().any(|w| w.contains("disagree on BLAS")),
            "{:?}",
            b.warnings
        );
        assert!(
            b.markdown.contains("2 of 4 complete; 1 missing, 1 damaged"),
            "{}",
            b.markdown
        );
        assert!(b.warnings.iter().any(|w| w.contains("t4")));
    }

    #[test]
    fn data_splits_of_one_experiment_are_not_a_disagreement() {
        let inv = Inventory {
            done: vec![record("t1", "Haswell", 1), record("t2", "Haswell", 2)],
            ..Inventory::default()
        };
        let b = super::block(&inv);
        assert!(b.warnings.is_empty(), "{:?}", b.warnings);
        assert!(
            b.markdown
                .contains("- BLAS: OpenBLAS test / kernel Haswell / conv im2col + sgemm\n"),
            "{}",
            b.markdown
        );
        // The splits share their files: one data line names both seeds.
        assert_eq!(b.markdown.matches("- data:").count(), 1, "{}", b.markdown);
        assert!(
            b.markdown.contains("; 2 split seeds: 1, 2]\n"),
            "{}",
            b.markdown
        );
    }

    #[test]
    fn one_split_read_from_two_versions_of_a_file_is_listed_variant_by_variant() {
        let mut other = record("t2", "Haswell", 1);
        other.provenance.data.origin = "another copy".into();
        let inv = Inventory {
            done: vec![record("t1", "Haswell", 1), other],
            ..Inventory::default()
        };
        let b = super::block(&inv);
        assert!(
            b.warnings.iter().any(|w| w.contains("disagree on data")),
            "{:?}",
            b.warnings
        );
        assert_eq!(b.markdown.matches("- data:").count(), 2, "{}", b.markdown);
        assert!(b.markdown.contains("(1 trials)"), "{}", b.markdown);
    }
}
