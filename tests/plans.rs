//! The compiled plan (YAML) of every `.reg` program in the repository —
//! `experiments/`, `stdlib/`, `tests/ui/clean_*.reg` and every code block of
//! README.md and docs/*.md that compiles — is byte-identical to its
//! snapshot under `tests/plans/`. Refactors of the checker and the plan
//! compiler must keep it green.
//!
//! Update (after reading the diff!) with `REGIME_BLESS=1 cargo test --test plans`.

use regime::compile::{compile, compile_source, Options};
use regime::plan::to_yaml;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const SNAPSHOTS: &str = "tests/plans";

fn reg_files(dir: &str, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.ends_with(".reg") && keep(&name)
        })
        .collect();
    out.sort();
    out
}

/// Untagged and ```reg fenced code blocks of a Markdown file, numbered from 0.
fn code_blocks(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut blocks = vec![];
    let mut current: Option<String> = None;
    let mut labelled = false;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("```") {
            match current.take() {
                Some(block) => {
                    if !labelled {
                        blocks.push(block);
                    }
                }
                None => {
                    // ```reg blocks are programs too; ```reg,fails(..) ones do not compile.
                    labelled = !matches!(rest.trim(), "" | "reg");
                    current = Some(String::new());
                }
            }
        } else if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    blocks
}

/// Plans record data paths as absolute (relative ones resolve against the
/// file that names them): the checkout's own location becomes `$REPO`, so
/// the snapshots hold wherever the repository is cloned.
fn portable(yaml: String) -> String {
    yaml.replace(env!("CARGO_MANIFEST_DIR"), "$REPO")
}

/// Snapshot name → compiled YAML, for every program that compiles.
fn plans() -> BTreeMap<String, String> {
    let opts = Options::default();
    let mut out = BTreeMap::new();
    let mut files = reg_files("experiments", |_| true);
    files.extend(reg_files("stdlib", |_| true));
    files.extend(reg_files("tests/ui", |n| n.starts_with("clean_")));
    for f in files {
        let compiled = compile(&f, &opts).unwrap_or_else(|r| {
            panic!("{} does not compile:\n{}", f.display(), r.render(false, 80))
        });
        let name = f.to_string_lossy().replace('/', "__");
        out.insert(name, portable(to_yaml(&compiled.plan).unwrap()));
    }
    // The options too: `--seeds` and `--scale` change the plan.
    let scaled = Options {
        seeds: Some(1),
        scale: 0.25,
        ..Options::default()
    };
    for f in [
        "experiments/quickstart.reg",
        "experiments/language_tour.reg",
    ] {
        let compiled =
            compile(Path::new(f), &scaled).unwrap_or_else(|r| panic!("{}", r.render(false, 80)));
        let name = format!("{}@seeds1-scale0.25", f.replace('/', "__"));
        out.insert(name, portable(to_yaml(&compiled.plan).unwrap()));
    }
    let mut docs = vec!["README.md".to_string()];
    let mut md: Vec<_> = std::fs::read_dir("docs")
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    md.sort();
    docs.extend(md);
    for doc in docs {
        for (i, block) in code_blocks(&doc).iter().enumerate() {
            let name = format!("{doc}#{i}");
            let Ok(compiled) = compile_source(&name, block, Some(Path::new(".")), &opts) else {
                continue;
            };
            if compiled.plan.experiments.is_empty() {
                continue;
            }
            let file = format!("{}__{i}.reg", doc.replace('/', "__"));
            out.insert(file, portable(to_yaml(&compiled.plan).unwrap()));
        }
    }
    out
}

#[test]
fn every_plan_is_byte_identical_to_its_snapshot() {
    let plans = plans();
    assert!(plans.len() >= 20, "only {} programs compiled", plans.len());
    assert!(
        plans.keys().any(|k| k.starts_with("README.md")),
        "the README example no longer compiles"
    );
    let bless = std::env::var_os("REGIME_BLESS").is_some();
    if bless {
        let _ = std::fs::remove_dir_all(SNAPSHOTS);
        std::fs::create_dir_all(SNAPSHOTS).unwrap();
        for (name, yaml) in &plans {
            std::fs::write(Path::new(SNAPSHOTS).join(format!("{name}.yaml")), yaml).unwrap();
        }
        return;
    }
    let mut stored: Vec<String> = std::fs::read_dir(SNAPSHOTS)
        .expect("tests/plans exists (bless with REGIME_BLESS=1)")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter_map(|n| n.strip_suffix(".yaml").map(str::to_string))
        .collect();
    stored.sort();
    let produced: Vec<String> = plans.keys().cloned().collect();
    assert_eq!(produced, stored, "the set of compiled programs changed");
    let mut differ = vec![];
    for (name, yaml) in &plans {
        let want =
            std::fs::read_to_string(Path::new(SNAPSHOTS).join(format!("{name}.yaml"))).unwrap();
        if *yaml != want {
            differ.push(name.clone());
        }
    }
    assert!(
        differ.is_empty(),
        "plans differ from tests/plans/: {differ:?}"
    );
}
