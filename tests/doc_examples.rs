//! Every example in README.md and docs/*.md is a real program or command:
//!
//! - a ```` ```reg ```` block passes `regime check`; a block that shows an
//!   error on purpose says so, ```` ```reg,fails(regime::CODE) ````, and must
//!   fail with that code;
//! - a ```` ```sh ```` block runs `regime` only with subcommands and flags the
//!   command line accepts, and `make` only with targets the Makefile has;
//! - a ```` ```json ```` block is JSON;
//! - every block says what it is (an untagged block would go unchecked);
//! - the README's first example is exactly the file `make demo` runs.
//!
//! Local imports in examples resolve in `tests/doc_examples/` (which holds
//! the `shared.reg` that docs/language.md imports).

use clap::Parser;
use regime::cli::Cli;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Block {
    /// `file:line` of the opening fence.
    at: String,
    info: String,
    body: String,
}

fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![Path::new(ROOT).join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

fn blocks_of(path: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.strip_prefix(ROOT).unwrap().display().to_string();
    let mut out = vec![];
    let mut open: Option<(usize, String, Vec<&str>)> = None;
    for (i, line) in text.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some((i + 1, info.trim().to_string(), vec![])),
            (Some(_), Some(_)) => {
                let (at, info, body) = open.take().unwrap();
                out.push(Block {
                    at: format!("{name}:{at}"),
                    info,
                    body: body.join("\n") + "\n",
                });
            }
            (Some((_, _, body)), None) => body.push(line),
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "{name}: a code block is never closed");
    out
}

fn all_blocks() -> Vec<Block> {
    doc_files().iter().flat_map(|f| blocks_of(f)).collect()
}

/// The code a ```` ```reg,fails(CODE) ```` block must fail with (`regime::`
/// prefix optional).
fn expected_failure(info: &str) -> Option<&str> {
    info.strip_prefix("reg,fails(")?.strip_suffix(')')
}

fn fixture_dir() -> PathBuf {
    Path::new(ROOT).join("tests/doc_examples")
}

#[test]
fn every_block_says_what_it_is() {
    // `python` blocks are run by tests/interop.rs (the pandas snippet);
    // `lua` and `toml` are editor configurations (docs/editors.md).
    let known = ["reg", "sh", "json", "text", "python", "lua", "toml"];
    let untagged: Vec<String> = all_blocks()
        .into_iter()
        .filter(|b| !known.contains(&b.info.as_str()) && expected_failure(&b.info).is_none())
        .map(|b| format!("{} (```{})", b.at, b.info))
        .collect();
    assert!(
        untagged.is_empty(),
        "tag these blocks (reg, reg,fails(CODE), sh, json or text): {untagged:?}"
    );
}

#[test]
fn reg_examples_check_clean() {
    let blocks: Vec<Block> = all_blocks()
        .into_iter()
        .filter(|b| b.info == "reg")
        .collect();
    assert!(
        blocks.len() >= 8,
        "found only {} reg examples",
        blocks.len()
    );
    for b in blocks {
        let report = regime::compile::check_source(&b.at, &b.body, Some(&fixture_dir()));
        assert!(
            !report.has_errors(),
            "{}:\n{}",
            b.at,
            report.render(false, 100)
        );
    }
}

#[test]
fn failing_examples_fail_with_their_code() {
    let blocks: Vec<Block> = all_blocks()
        .into_iter()
        .filter(|b| expected_failure(&b.info).is_some())
        .collect();
    assert!(
        !blocks.is_empty(),
        "docs/language.md shows a failing example"
    );
    for b in blocks {
        let code = expected_failure(&b.info)
            .unwrap()
            .trim_start_matches("regime::");
        assert!(
            regime::diagnostics::ALL_CODES.contains(&code),
            "{}: {code} is not a diagnostic code",
            b.at
        );
        let report = regime::compile::check_source(&b.at, &b.body, Some(&fixture_dir()));
        let codes: Vec<String> = report
            .diagnostics
            .iter()
            .filter(|d| d.diagnostic.is_error())
            .map(|d| d.diagnostic.code_name())
            .collect();
        assert!(
            codes.iter().any(|c| c == code),
            "{}: expected {code}, got {codes:?}",
            b.at
        );
    }
}

/// The commands of a shell block: continuation lines joined, comments
/// dropped, `&&`, `;` and `|` separating commands.
fn commands(body: &str) -> Vec<Vec<String>> {
    let joined = body.replace("\\\n", " ");
    let mut out = vec![];
    for line in joined.lines() {
        let words = shlex::split(line).unwrap_or_else(|| panic!("not shell: {line}"));
        let words: Vec<String> = words
            .into_iter()
            .take_while(|w| !w.starts_with('#'))
            .collect();
        for cmd in words.split(|w| w == "&&" || w == ";" || w == "|") {
            if !cmd.is_empty() {
                out.push(cmd.to_vec());
            }
        }
    }
    out
}

fn make_targets() -> Vec<String> {
    let makefile = std::fs::read_to_string(Path::new(ROOT).join("Makefile")).unwrap();
    makefile
        .lines()
        .filter(|l| !l.starts_with(['\t', '.', '#', ' ']))
        .filter_map(|l| Some(l.split_once(':')?.0.trim().to_string()))
        .filter(|t| !t.contains('='))
        .collect()
}

#[test]
fn shell_examples_use_real_subcommands_flags_and_targets() {
    let targets = make_targets();
    let mut regime_commands = 0;
    for b in all_blocks().into_iter().filter(|b| b.info == "sh") {
        for cmd in commands(&b.body) {
            let program = Path::new(&cmd[0])
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            if program == "regime" {
                regime_commands += 1;
                if let Err(e) = Cli::try_parse_from(&cmd) {
                    panic!("{}: `{}` does not parse:\n{e}", b.at, cmd.join(" "));
                }
            } else if program == "make" {
                for t in cmd[1..].iter().filter(|w| !w.starts_with('-')) {
                    assert!(
                        targets.contains(t),
                        "{}: the Makefile has no target {t}",
                        b.at
                    );
                }
            }
        }
    }
    assert!(
        regime_commands >= 5,
        "found only {regime_commands} regime commands"
    );
}

#[test]
fn json_examples_are_json() {
    for b in all_blocks().into_iter().filter(|b| b.info == "json") {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(&b.body) {
            panic!("{}: {e}", b.at);
        }
    }
}

/// The .reg file the Makefile's `demo` recipe runs.
fn demo_file() -> PathBuf {
    let makefile = std::fs::read_to_string(Path::new(ROOT).join("Makefile")).unwrap();
    let recipe = makefile
        .split("\ndemo:")
        .nth(1)
        .expect("the Makefile has a demo target");
    let file = recipe
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with('\t'))
        .flat_map(|l| l.split_whitespace())
        .find(|w| w.ends_with(".reg"))
        .expect("the demo recipe runs a .reg file");
    Path::new(ROOT).join(file)
}

#[test]
fn the_readme_starts_with_what_make_demo_runs() {
    let readme = blocks_of(&Path::new(ROOT).join("README.md"));
    let first = readme
        .iter()
        .find(|b| b.info == "reg")
        .expect("the README has an example");
    let demo = std::fs::read_to_string(demo_file()).unwrap();
    assert!(
        first.body == demo,
        "{}: the README's first example is not {} as it is",
        first.at,
        demo_file().display()
    );
}
