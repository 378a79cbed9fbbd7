//! The VS Code package's TextMate grammar (editors/vscode), tested with
//! `vscode-tmgrammar-test` from npm, which this test installs itself
//! (`npm ci` into editors/vscode/node_modules, from the committed lock
//! file): the annotated cases of editors/vscode/tests/ hold their scopes, and
//! every `.reg` file of the repository tokenizes, with no character marked
//! invalid in those that parse. No npm is a failure, not a skip.

use std::path::{Path, PathBuf};
use std::process::Command;

const PACKAGE: &str = "editors/vscode";
const GRAMMAR: &str = "syntaxes/regime.tmLanguage.json";
const INVALID: &str = "invalid.illegal.character.regime";

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("cannot run {what} ({e}): install Node.js and npm (`make deps`)")
    });
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `npm ci` once per test binary: both tests need the tool.
fn install() -> PathBuf {
    static ONCE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        run(
            Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(PACKAGE),
            "npm ci in editors/vscode",
        );
        Path::new(PACKAGE).join("node_modules/.bin/vscode-tmgrammar-test")
    })
    .clone()
}

fn grammar_test(cases: &str) {
    let tool = std::fs::canonicalize(install()).unwrap();
    run(
        Command::new(tool)
            .args(["-c", "-g", GRAMMAR, cases])
            .current_dir(PACKAGE),
        &format!("vscode-tmgrammar-test on {cases}"),
    );
}

#[test]
fn annotated_cases_have_their_scopes() {
    grammar_test("tests/*.reg");
}

/// Every `.reg` of the repository, outside build and package directories.
fn repo_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().to_string();
        if p.is_dir() {
            let skip = name.starts_with('.')
                || ["target", "node_modules", "runs"].contains(&name.as_str());
            // The annotated cases have their own test, and mistakes on purpose.
            if !skip && !p.ends_with("editors/vscode/tests") {
                repo_files(&p, out);
            }
        } else if name.ends_with(".reg") {
            out.push(p);
        }
    }
}

/// A copy of `text` as a grammar test case: with the header, and when the
/// file parses, an assertion under every line that no character of it is
/// invalid.
fn case(path: &Path, text: &str) -> String {
    let mut sources = regime::source::Sources::default();
    let file = sources.add(path.to_string_lossy(), text);
    let parses = regime::syntax::parse(file, text).1.is_empty();
    let mut out = format!("# SYNTAX TEST \"source.regime\" \"{}\"\n", path.display());
    for line in text.lines() {
        let rest = line.trim_start().strip_prefix('#').map(str::trim_start);
        assert!(
            !rest.is_some_and(|r| r.starts_with('^') || r.starts_with("<-")),
            "{}: a comment that reads as an assertion: {line}",
            path.display()
        );
        out.push_str(line);
        out.push('\n');
        // The tool counts columns in UTF-16 units, as JavaScript does.
        let width = line.encode_utf16().count();
        if parses && width > 0 {
            out.push_str(&format!("# <{} - {INVALID}\n", "-".repeat(width)));
        }
    }
    out
}

#[test]
fn every_reg_file_of_the_repository_tokenizes() {
    let mut files = vec![];
    repo_files(Path::new("."), &mut files);
    assert!(files.len() >= 60, "found only {} .reg files", files.len());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("editor-grammar");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut checked = 0;
    for (i, f) in files.iter().enumerate() {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue; // Binary cases of the checker have no lines to tokenize.
        };
        let name = format!("{i:03}-{}", f.file_name().unwrap().to_string_lossy());
        std::fs::write(dir.join(name), case(f, &text)).unwrap();
        checked += 1;
    }
    assert!(checked >= 60);
    grammar_test(&format!("{}/*.reg", dir.display()));
}

/// The grammar names every builtin of the tables and every keyword of the
/// language, so a new one cannot go unhighlighted.
#[test]
fn the_grammar_knows_every_builtin_and_keyword() {
    let grammar = std::fs::read_to_string(Path::new(PACKAGE).join(GRAMMAR)).unwrap();
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map(str::to_string)
            .collect()
    };
    let known = words(&grammar);
    for (kind, e) in regime::builtins::all() {
        assert!(
            known.contains(&e.name.to_string()),
            "{kind} `{}` missing from the grammar",
            e.name
        );
    }
    let pest = std::fs::read_to_string("grammar/regime.pest").unwrap();
    let rule = pest
        .lines()
        .skip_while(|l| !l.starts_with("keyword"))
        .take_while(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let keywords: Vec<String> = rule
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    assert!(keywords.len() >= 10, "{rule}");
    let items = regime::syntax::lex::ITEM_KEYWORDS.map(String::from);
    for k in keywords.iter().chain(items.iter()) {
        assert!(known.contains(k), "keyword `{k}` missing from the grammar");
    }
}
