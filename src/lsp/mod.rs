//! `regime lsp`: a language server over stdin and stdout, on `lsp-server`
//! and `lsp-types` (rust-analyzer's). The main loop (`main_loop`) keeps the
//! open documents (`documents`) and hands work to other threads: a
//! diagnostics worker that checks the newest version of each document and
//! drops stale ones, and one thread per request, so a long check never
//! blocks an answer about another file. Every request reads one version's
//! analysis (`analysis`: the same load and check as `regime check`, plus the
//! name index of `index`), computed once. Positions are UTF-16 (`convert`).
//! One file per feature: `diagnostics`, `hover` (with `describe`),
//! `navigation`, `symbols`, `completion`, `format`, `actions`, `tokens`
//! (with the lexer `lex`); `builtins` says which builtins each place takes.

mod actions;
mod analysis;
mod builtins;
mod completion;
mod convert;
mod describe;
mod diagnostics;
mod documents;
mod format;
mod hover;
mod index;
mod main_loop;
mod navigation;
mod symbols;
mod tokens;

pub use main_loop::{serve, Config};

use lsp_server::Connection;
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    HoverProviderCapability, InitializeParams, OneOf, PositionEncodingKind, SaveOptions,
    SemanticTokensFullOptions, SemanticTokensOptions, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
};

/// What the server offers.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(SaveOptions::default().into()),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["\"".into(), "/".into(), "(".into(), ":".into()]),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        semantic_tokens_provider: Some(
            SemanticTokensOptions {
                legend: tokens::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                ..Default::default()
            }
            .into(),
        ),
        ..Default::default()
    }
}

/// Run the server on stdin and stdout until the client says `exit`: 0
/// after a `shutdown`, 1 without one (as LSP asks).
pub fn run() -> Result<i32, Box<dyn std::error::Error + Send + Sync>> {
    let (connection, io_threads) = Connection::stdio();
    let (id, params) = connection.initialize_start()?;
    let init: InitializeParams = serde_json::from_value(params)?;
    let snippets = init
        .capabilities
        .text_document
        .and_then(|t| t.completion)
        .and_then(|c| c.completion_item)
        .and_then(|i| i.snippet_support)
        .unwrap_or(false);
    let result = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": {"name": "regime", "version": env!("CARGO_PKG_VERSION")},
    });
    connection.initialize_finish(id, result)?;
    let code = serve(connection, Config { snippets })?;
    io_threads.join()?;
    Ok(code)
}
