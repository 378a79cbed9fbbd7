//! docs/architecture.md names real files: every path it writes in backticks
//! (or in its diagram) exists, so the map does not drift from the tree.

use std::path::Path;

/// Tokens that look like repository paths: they start with a top-level
/// directory of the repository.
fn paths(text: &str) -> Vec<String> {
    const ROOTS: [&str; 6] = ["src/", "tests/", "docs/", "grammar/", "benches/", "stdlib/"];
    let mut out = vec![];
    for raw in text.split(|c: char| c.is_whitespace() || "`()|,;".contains(c)) {
        let token = raw.trim_end_matches(['.', ':']);
        if ROOTS.iter().any(|r| token.starts_with(r)) && !token.contains("NAME") {
            out.push(token.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_path_in_the_architecture_doc_exists() {
    let text = std::fs::read_to_string("docs/architecture.md").unwrap();
    let paths = paths(&text);
    assert!(paths.len() > 30, "found only {paths:?}");
    let missing: Vec<&String> = paths.iter().filter(|p| !Path::new(p).exists()).collect();
    assert!(
        missing.is_empty(),
        "docs/architecture.md names missing paths: {missing:?}"
    );
}
