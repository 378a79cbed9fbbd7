//! The main loop, in rust-analyzer's pattern: one thread owns the state and
//! waits on two channels, the client's messages and the diagnostics
//! worker's results. Document changes are applied here (cheap); checking
//! happens on the worker, which always takes the newest version of each
//! document and skips the ones edited since, and every request is answered
//! on a thread of its own, from the analysis of the version it names.

use super::documents::{Documents, Snapshot};
use super::{actions, completion, diagnostics, format, hover, navigation, symbols, tokens};
use crossbeam_channel::{select, unbounded, Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{PublishDiagnosticsParams, TextDocumentIdentifier, Uri};

/// What the client told us at `initialize`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Config {
    /// The client expands `$1` placeholders in completions.
    pub snippets: bool,
}

/// A document's diagnostics, checked on the worker.
struct Checked {
    uri: Uri,
    version: i32,
    diagnostics: Vec<lsp_types::Diagnostic>,
}

/// Serve `connection` (already initialized) until `exit`: 0 after
/// `shutdown`, 1 when the client exits (or goes away) without one.
pub fn serve(
    connection: Connection,
    config: Config,
) -> Result<i32, Box<dyn std::error::Error + Send + Sync>> {
    let (check_tx, check_rx) = unbounded::<Snapshot>();
    let (done_tx, done_rx) = unbounded::<Checked>();
    let worker = std::thread::Builder::new()
        .name("regime-lsp-check".into())
        .spawn(move || check_worker(check_rx, done_tx))?;
    let mut server = Server {
        sender: connection.sender.clone(),
        docs: Documents::default(),
        check: check_tx,
        config,
    };
    let code = loop {
        select! {
            recv(connection.receiver) -> msg => match msg {
                Ok(Message::Request(r)) => {
                    if connection.handle_shutdown(&r)? {
                        break 0;
                    }
                    server.request(r);
                }
                Ok(Message::Notification(n)) if n.method == note::Exit::METHOD => break 1,
                Ok(Message::Notification(n)) => server.notification(n),
                Ok(Message::Response(_)) => {}
                Err(_) => break 1,
            },
            recv(done_rx) -> checked => {
                if let Ok(c) = checked {
                    server.publish(c);
                }
            }
        }
    };
    drop(server);
    let _ = worker.join();
    Ok(code)
}

/// Check the newest version of every document sent, oldest request first;
/// versions superseded while waiting are never checked.
fn check_worker(jobs: Receiver<Snapshot>, done: Sender<Checked>) {
    while let Ok(first) = jobs.recv() {
        let mut pending: Vec<Snapshot> = vec![first];
        for s in jobs.try_iter() {
            match pending.iter_mut().find(|p| p.uri == s.uri) {
                Some(p) => *p = s,
                None => pending.push(s),
            }
        }
        for s in pending {
            // A checker bug must cost this version its diagnostics, not the
            // worker (the panic message goes to stderr, the client's log).
            let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                diagnostics::diagnostics(&s.analysis())
                    .into_iter()
                    .map(|(d, _)| d)
                    .collect::<Vec<_>>()
            }));
            let Ok(diagnostics) = checked else { continue };
            let checked = Checked {
                uri: s.uri.clone(),
                version: s.version,
                diagnostics,
            };
            if done.send(checked).is_err() {
                return;
            }
        }
    }
}

struct Server {
    sender: Sender<Message>,
    docs: Documents,
    check: Sender<Snapshot>,
    config: Config,
}

impl Server {
    fn notification(&mut self, n: Notification) {
        let method = n.method.clone();
        match method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidOpenTextDocumentParams>(&method) {
                    let d = p.text_document;
                    let s = self.docs.open(d.uri, d.version, d.text);
                    let _ = self.check.send(s);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(&method) {
                    let d = p.text_document;
                    if let Some(s) = self.docs.change(&d.uri, d.version, p.content_changes) {
                        let _ = self.check.send(s);
                    }
                }
            }
            note::DidSaveTextDocument::METHOD => {
                // Another open file may import the saved one: check them all again.
                for s in self.docs.refresh_all() {
                    let _ = self.check.send(s);
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Ok(p) = n.extract::<lsp_types::DidCloseTextDocumentParams>(&method) {
                    self.docs.close(&p.text_document.uri);
                    self.send_diagnostics(p.text_document.uri, None, vec![]);
                }
            }
            _ => {}
        }
    }

    /// Publish a check's diagnostics unless the document changed since.
    fn publish(&mut self, c: Checked) {
        if self.docs.is_current(&c.uri, c.version) {
            self.send_diagnostics(c.uri, Some(c.version), c.diagnostics);
        }
    }

    fn send_diagnostics(
        &self,
        uri: Uri,
        version: Option<i32>,
        diagnostics: Vec<lsp_types::Diagnostic>,
    ) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let n = Notification::new(note::PublishDiagnostics::METHOD.into(), params);
        let _ = self.sender.send(n.into());
    }

    fn request(&mut self, r: Request) {
        let snippets = self.config.snippets;
        match r.method.as_str() {
            req::HoverRequest::METHOD => self.answer::<req::HoverRequest>(
                r,
                |p| &p.text_document_position_params.text_document,
                |s, p| hover::hover(&s.analysis(), p.text_document_position_params.position),
            ),
            req::GotoDefinition::METHOD => self.answer::<req::GotoDefinition>(
                r,
                |p| &p.text_document_position_params.text_document,
                |s, p| {
                    navigation::definition(&s.analysis(), p.text_document_position_params.position)
                        .map(Into::into)
                },
            ),
            req::References::METHOD => self.answer::<req::References>(
                r,
                |p| &p.text_document_position.text_document,
                |s, p| {
                    let with = p.context.include_declaration;
                    Some(navigation::references(
                        &s.analysis(),
                        p.text_document_position.position,
                        with,
                    ))
                },
            ),
            req::DocumentSymbolRequest::METHOD => self.answer::<req::DocumentSymbolRequest>(
                r,
                |p| &p.text_document,
                |s, _| Some(symbols::symbols(&s.analysis()).into()),
            ),
            req::Completion::METHOD => self.answer::<req::Completion>(
                r,
                |p| &p.text_document_position.text_document,
                move |s, p| {
                    let items = completion::completion(
                        &s.analysis(),
                        p.text_document_position.position,
                        snippets,
                    );
                    Some(items.into())
                },
            ),
            req::Formatting::METHOD => self.answer::<req::Formatting>(
                r,
                |p| &p.text_document,
                |s, _| format::format(s.uri.as_str(), &s.text),
            ),
            req::CodeActionRequest::METHOD => self.answer::<req::CodeActionRequest>(
                r,
                |p| &p.text_document,
                |s, p| Some(actions::actions(&s.analysis(), p.range)),
            ),
            req::SemanticTokensFullRequest::METHOD => self
                .answer::<req::SemanticTokensFullRequest>(
                    r,
                    |p| &p.text_document,
                    |s, _| Some(tokens::tokens(&s.analysis()).into()),
                ),
            _ => {
                let msg = format!("regime lsp does not handle `{}`", r.method);
                self.reply(Response::new_err(
                    r.id,
                    ErrorCode::MethodNotFound as i32,
                    msg,
                ));
            }
        }
    }

    /// Answer `r` on a thread of its own, from the snapshot of the document
    /// it names (`null` for a document that is not open).
    fn answer<R>(
        &self,
        r: Request,
        doc: fn(&R::Params) -> &TextDocumentIdentifier,
        f: impl FnOnce(&Snapshot, R::Params) -> R::Result + Send + 'static,
    ) where
        R: lsp_types::request::Request,
        R::Params: Send + 'static,
    {
        let id = r.id.clone();
        let params: R::Params = match serde_json::from_value(r.params) {
            Ok(p) => p,
            Err(e) => {
                return self.reply(Response::new_err(
                    id,
                    ErrorCode::InvalidParams as i32,
                    e.to_string(),
                ))
            }
        };
        let Some(snapshot) = self.docs.get(&doc(&params).uri) else {
            return self.reply(Response::new_ok(id, serde_json::Value::Null));
        };
        let sender = self.sender.clone();
        let spawned = std::thread::Builder::new()
            .name(R::METHOD.into())
            .spawn(move || {
                let answer =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&snapshot, params)));
                let response = match answer {
                    Ok(result) => Response::new_ok(id, result),
                    Err(_) => Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        format!("regime lsp failed on {}", R::METHOD),
                    ),
                };
                let _ = sender.send(response.into());
            });
        if let Err(e) = spawned {
            eprintln!("regime lsp: cannot start a thread: {e}");
        }
    }

    fn reply(&self, response: Response) {
        let _ = self.sender.send(response.into());
    }
}
