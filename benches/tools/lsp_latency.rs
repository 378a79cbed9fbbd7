//! How long the language server takes from a `didChange` to the
//! `publishDiagnostics` of that version: on the largest experiment of
//! `experiments/`, and on a 5 MB file made of copies of it (every name
//! renamed per copy), during which a hover on the small file must still be
//! answered at once. The server runs in this process (`regime::lsp::serve`
//! on an in-memory connection), so the figures are the server's own.
//!
//! `cargo run --release --example lsp_latency [-- ROUNDS]`; the figures are in
//! docs/editors.md ("Responsiveness").

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let (largest, text) = largest_experiment(Path::new("experiments"));
    let big = five_megabytes(&text);
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || regime::lsp::serve(server, Default::default()));
    let small_uri = uri(&std::path::absolute(&largest).unwrap());
    let big_uri = uri(&std::path::absolute(&largest)
        .unwrap()
        .with_file_name("five_megabytes.reg"));
    let mut c = Bench {
        c: client,
        id: 0,
        held: vec![],
    };

    c.open(&small_uri, &text);
    c.wait_diagnostics(&small_uri, 1);
    let small: Vec<Duration> = (2..rounds as i32 + 2)
        .map(|v| c.change_and_wait(&small_uri, v, &text))
        .collect();
    report(
        &format!("{} ({} bytes)", largest.display(), text.len()),
        &small,
    );

    c.open(&big_uri, &big);
    c.wait_diagnostics(&big_uri, 1);
    let mut big_times = vec![];
    let mut hovers = vec![];
    for v in 2..(rounds / 4).max(3) as i32 + 2 {
        let start = Instant::now();
        c.change(&big_uri, v, &big);
        // While the big file is being checked, a request on the small one.
        hovers.push(c.hover(&small_uri));
        c.wait_diagnostics(&big_uri, v);
        big_times.push(start.elapsed());
    }
    report(&format!("a 5 MB file ({} bytes)", big.len()), &big_times);
    report("hover on the small file during the 5 MB check", &hovers);
    c.request("shutdown", Value::Null);
    c.c.sender
        .send(Notification::new("exit".into(), Value::Null).into())
        .unwrap();
    assert_eq!(thread.join().unwrap().unwrap(), 0);
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// The biggest `.reg` file of the directory, and its text.
fn largest_experiment(dir: &Path) -> (PathBuf, String) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("run from the repository's root")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "reg"))
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0));
    let p = files.pop().expect("an experiment");
    let text = std::fs::read_to_string(&p).unwrap();
    (p, text)
}

/// Copies of `text` up to 5 MB, each definition renamed (`name` → `name_K`)
/// so they do not clash; imports are kept once.
fn five_megabytes(text: &str) -> String {
    let names: Vec<String> = text
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let kw = w.next()?;
            let name = w.next()?;
            let defines = ["data", "network", "schedule", "policy", "experiment"].contains(&kw);
            defines.then(|| {
                name.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_')
                    .split('(')
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
        })
        .collect();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("import"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut out: String = text
        .lines()
        .filter(|l| l.starts_with("import"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut k = 0;
    while out.len() < 5 << 20 {
        let mut copy = body.clone();
        for n in &names {
            copy = rename(&copy, n, &format!("{n}_{k}"));
        }
        out.push_str(&copy);
        k += 1;
    }
    out
}

/// Replace whole-word occurrences of `from`.
fn rename(text: &str, from: &str, to: &str) -> String {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back().is_some_and(word);
        let after = rest[i + from.len()..].chars().next().is_some_and(word);
        out.push_str(&rest[..i]);
        out.push_str(if before || after { from } else { to });
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}

fn report(what: &str, times: &[Duration]) {
    let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    println!(
        "{what}: median {:.1} ms, max {:.1} ms over {} changes",
        ms[ms.len() / 2],
        ms[ms.len() - 1],
        ms.len()
    );
}

struct Bench {
    c: Connection,
    id: i32,
    /// Notifications read while waiting for a response.
    held: Vec<Notification>,
}

impl Bench {
    fn notify(&self, method: &str, params: Value) {
        self.c
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    fn open(&self, uri: &str, text: &str) {
        let doc = json!({"uri": uri, "languageId": "regime", "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": doc}));
    }

    /// A whole-text change to version `v` (the text itself unchanged: the
    /// server checks every version all the same).
    fn change(&self, uri: &str, v: i32, text: &str) {
        let params =
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": text}]});
        self.notify("textDocument/didChange", params);
    }

    fn change_and_wait(&mut self, uri: &str, v: i32, text: &str) -> Duration {
        let start = Instant::now();
        self.change(uri, v, text);
        self.wait_diagnostics(uri, v);
        start.elapsed()
    }

    fn wait_diagnostics(&mut self, uri: &str, version: i32) {
        let wanted = |n: &Notification| {
            n.method == "textDocument/publishDiagnostics"
                && n.params["uri"] == uri
                && n.params["version"] == version
        };
        if let Some(i) = self.held.iter().position(wanted) {
            self.held.remove(i);
            return;
        }
        loop {
            if let Message::Notification(n) = self.c.receiver.recv().unwrap() {
                if wanted(&n) {
                    return;
                }
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.id += 1;
        let id = RequestId::from(self.id);
        self.c
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        loop {
            match self.c.receiver.recv().unwrap() {
                Message::Response(r) if r.id == id => {
                    return r.response_result.unwrap_or(Value::Null)
                }
                Message::Notification(n) => self.held.push(n),
                _ => {}
            }
        }
    }

    /// Time to answer a hover at the start of the file.
    fn hover(&mut self, uri: &str) -> Duration {
        let start = Instant::now();
        let params = json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}});
        self.request("textDocument/hover", params);
        start.elapsed()
    }
}
