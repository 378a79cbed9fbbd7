//! `regime lsp` end to end: the built binary is spawned and spoken to in
//! JSON-RPC over its stdin and stdout, as an editor would — initialize,
//! diagnostics at exact UTF-16 ranges, a change that fixes them, hover,
//! definition into a local import and the standard library, references,
//! completion, formatting, a quick fix, the outline, semantic tokens, and
//! shutdown and exit with status 0.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// How long to wait for a message before failing (not a measurement: a
/// server that never answers fails instead of hanging the suite).
const PATIENCE: Duration = Duration::from_secs(120);

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications read while waiting for something else.
    held: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(cache: &std::path::Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_regime"))
            .arg("lsp")
            .env("REGIME_CACHE_DIR", cache)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("regime lsp starts");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, incoming) = channel();
        std::thread::spawn(move || loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse::<usize>().ok();
                }
            }
            let mut body = vec![0; length.expect("a Content-Length header")];
            stdout.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        Client {
            child,
            stdin,
            incoming,
            held: vec![],
            next_id: 0,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn next(&mut self) -> Value {
        self.incoming
            .recv_timeout(PATIENCE)
            .expect("the server answers")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.next();
            if m["id"] == id && m.get("method").is_none() {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            self.held.push(m);
        }
    }

    /// The diagnostics published for `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let wanted = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        };
        if let Some(i) = self.held.iter().position(wanted) {
            return self.held.remove(i)["params"]["diagnostics"]
                .as_array()
                .unwrap()
                .clone();
        }
        loop {
            let m = self.next();
            if wanted(&m) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.held.push(m);
        }
    }
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

fn file_uri(p: &std::path::Path) -> String {
    format!("file://{}", p.display())
}

fn hover_text(v: &Value) -> String {
    v["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Line 10 has `λ` (1 UTF-16 unit) and `𝔼` (2 units) before `vall`.
const MAIN: &str = r#"import "std/policies"
import "lib"

network net {
  dense(50)
  relu
  dense(10)
}

experiment e {
  data: fashion_mnist(path: "λ𝔼", vall: 1000)
  network: nett
  optimizer: sgd(lr: 0.1)
  iters: 400
  arm a: lambda = halve(2)
  arm b: lambda = gap_feedback(tol: 0.05) from 1.0
}
"#;

#[test]
fn an_editor_session() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(
        root.join("lib.reg"),
        "schedule halve(start = 2) = steps([start, start / 2], each: 50 iters)\n",
    )
    .unwrap();
    std::fs::write(root.join("main.reg"), MAIN).unwrap();
    let uri = file_uri(&root.join("main.reg"));
    let mut c = Client::start(&root.join("cache"));
    let init = c.request(
        "initialize",
        json!({"capabilities": {"textDocument": {"completion": {"completionItem": {"snippetSupport": true}}}}}),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    let legend = init["capabilities"]["semanticTokensProvider"]["legend"]["tokenTypes"].clone();
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "regime", "version": 1, "text": MAIN}}),
    );

    // Errors at exact ranges, in UTF-16 units.
    let diags = c.diagnostics(&uri, 1);
    let errors: Vec<&Value> = diags.iter().filter(|d| d["severity"] == 1).collect();
    assert_eq!(errors.len(), 2, "{diags:#?}");
    assert_eq!(errors[0]["code"], "regime::unknown_argument");
    assert_eq!(errors[0]["range"], range(10, 35, 10, 39));
    assert_eq!(errors[1]["code"], "regime::unknown_name");
    assert_eq!(errors[1]["range"], range(11, 11, 11, 15));
    let href = errors[1]["codeDescription"]["href"].as_str().unwrap();
    let explanation = std::fs::read_to_string(href.trim_start_matches("file://")).unwrap();
    assert!(
        explanation.starts_with("regime::unknown_name"),
        "{explanation}"
    );

    // Hover on a diagnostic explains it; the quick fix applies its suggestion.
    let h = c.request("textDocument/hover", at(&uri, 11, 12));
    assert!(hover_text(&h).contains("**regime::unknown_name**"), "{h}");
    assert!(
        hover_text(&h).contains(explanation.lines().nth(1).unwrap()),
        "{h}"
    );
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(11, 12, 11, 12), "context": {"diagnostics": []}}),
    );
    let edit = &actions[0]["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "net");
    assert_eq!(edit["range"], range(11, 11, 11, 15));

    // A change that fixes both errors clears them.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": range(10, 35, 10, 39), "text": "val"},
            {"range": range(11, 11, 11, 15), "text": "net"},
        ]}),
    );
    assert_eq!(c.diagnostics(&uri, 2), Vec::<Value>::new());

    // Hover: a network's shapes on its data, a builtin's table entry, a schedule's λ.
    let h = hover_text(&c.request("textDocument/hover", at(&uri, 11, 12)));
    assert!(
        h.contains("`1×28×28` → dense(50) → `50`") && h.contains("39,760 parameters"),
        "{h}"
    );
    let h = hover_text(&c.request("textDocument/hover", at(&uri, 4, 3)));
    assert!(
        h.contains("dense(units)") && h.contains("fully connected"),
        "{h}"
    );
    let h = hover_text(&c.request("textDocument/hover", at(&uri, 14, 19)));
    assert!(
        h.contains("λ over its 100 iterations") && h.contains("| λ | 2 |"),
        "{h}"
    );

    // Definition into a local import and into the standard library on disk.
    let d = c.request("textDocument/definition", at(&uri, 14, 19));
    assert_eq!(d["uri"], file_uri(&root.join("lib.reg")));
    assert_eq!(d["range"], range(0, 9, 0, 14));
    let d = c.request("textDocument/definition", at(&uri, 15, 20));
    let std_file = d["uri"]
        .as_str()
        .unwrap()
        .trim_start_matches("file://")
        .to_string();
    assert!(std_file.ends_with("policies.reg"), "{d}");
    let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
    let std_text = std::fs::read_to_string(&std_file).unwrap();
    assert!(std_text
        .lines()
        .nth(line)
        .unwrap()
        .starts_with("policy gap_feedback("));

    // References of `net`: its definition and its use.
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": {"line": 3, "character": 9}, "context": {"includeDeclaration": true}}),
    );
    let ranges: Vec<&Value> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["range"])
        .collect();
    assert_eq!(ranges, [&range(3, 8, 3, 11), &range(11, 11, 11, 14)]);

    // Completion: keys at a statement's start, builtins with snippets after a key.
    let items = c.request("textDocument/completion", at(&uri, 13, 2));
    let iters = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "iters")
        .expect("iters");
    assert_eq!(iters["insertText"], "iters: $0");
    let items = c.request("textDocument/completion", at(&uri, 12, 13));
    let sgd = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "sgd")
        .expect("sgd");
    assert_eq!(sgd["insertText"], "sgd(${1:lr})");

    // Import paths: the standard library and the files beside the document.
    let items = c.request("textDocument/completion", at(&uri, 1, 9));
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"std/networks") && labels.contains(&"lib.reg"),
        "{labels:?}"
    );
    let lib = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "lib.reg")
        .unwrap();
    assert_eq!(lib["textEdit"]["range"], range(1, 8, 1, 9));

    // The outline.
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["std/policies", "lib", "net", "e"]);
    let arms: Vec<&str> = symbols[3]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(arms, ["a", "b"]);

    // Semantic tokens: the first is the keyword `import`.
    let tokens = c.request(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    );
    let data = tokens["data"].as_array().unwrap();
    assert_eq!(&data[..3], &[json!(0), json!(0), json!(6)]);
    assert_eq!(legend[data[3].as_u64().unwrap() as usize], "keyword");

    // Formatting a document that is not on disk.
    let scratch = file_uri(&root.join("scratch.reg"));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": scratch, "languageId": "regime", "version": 1, "text": "schedule  s=constant( 1 )   # c\n"}}),
    );
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": scratch}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits[0]["newText"], "schedule s = constant(1)  # c\n");

    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    c.notify("exit", Value::Null);
    drop(c.stdin);
    assert_eq!(c.child.wait().unwrap().code(), Some(0));
}
