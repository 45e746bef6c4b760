//! Language server: `buck-lint lsp` (alias `server`) over stdio.
//!
//! - Publishes diagnostics for open build files, `.bzl`/`.bxl`, `fixups.toml`,
//!   `reindeer.toml`, `.buckconfig`, `Cargo.lock` … on `didOpen`, `didSave` and (debounced,
//!   200 ms by default, `initializationOptions.debounceMs`) `didChange`. Each lint is an
//!   [`engine::run`] over the open documents of one project, with every open buffer as an
//!   overlay and the rest of the project read from disk as context; only findings whose
//!   primary span is in an open document are published.
//! - A change to one document re-lints every open document of the same project (cross-file
//!   rules: fixups, reindeer.toml, `.bzl` macros, Cargo.lock, other packages' targets), and
//!   so do on-disk changes the client reports through `workspace/didChangeWatchedFiles`.
//! - Positions are UTF-16 unless the client offers `utf-8` in `general.positionEncodings`.
//! - Code actions: `Fix: …` (the finding's fix, preferred when safe), `Disable <rule> for
//!   this line`, and `source.fixAll.buck-lint`.
//! - Navigation ([`nav`]): definition, hover, document and workspace symbols, answered from
//!   a model of the whole project root kept until a document of that root changes.

mod actions;
mod convert;
mod nav;

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, PublishDiagnosticsParams, Uri,
};
use serde_json::json;

pub use convert::{Encoding, path_to_uri, uri_to_path};

use crate::config::{self, CliOverrides, Settings};
use crate::discover;
use crate::engine::{self, RunOptions};
use crate::source::{FileKind, LineIndex};

/// Run the server on stdin/stdout; returns the process exit code (0 after `shutdown` +
/// `exit`, 1 for `exit` without `shutdown` or a lost connection).
pub fn run() -> i32 {
    let (connection, io_threads) = Connection::stdio();
    let code = serve(&connection);
    drop(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("buck-lint lsp: {e}");
    }
    code
}

/// Serve one client over an established connection (stdio, or `Connection::memory()` in
/// tests). Returns the exit code.
pub fn serve(connection: &Connection) -> i32 {
    let (id, params) = match connection.initialize_start() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("buck-lint lsp: {e}");
            return 1;
        }
    };
    let encoding = Encoding::negotiate(&params);
    let debounce = params
        .pointer("/initializationOptions/debounceMs")
        .and_then(|v| v.as_u64())
        .map(Duration::from_millis)
        .unwrap_or(Duration::from_millis(200));
    let watch = params
        .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    let result = json!({
        "capabilities": {
            "positionEncoding": encoding.as_str(),
            "textDocumentSync": {
                "openClose": true,
                "change": 1,
                "save": { "includeText": false },
            },
            "codeActionProvider": {
                "codeActionKinds": ["quickfix", actions::FIX_ALL_KIND],
                "resolveProvider": false,
            },
            "definitionProvider": true,
            "hoverProvider": true,
            "documentSymbolProvider": true,
            "workspaceSymbolProvider": true,
        },
        "serverInfo": { "name": "buck-lint", "version": env!("CARGO_PKG_VERSION") },
    });
    if let Err(e) = connection.initialize_finish(id, result) {
        eprintln!("buck-lint lsp: {e}");
        return 1;
    }
    let mut workspace_roots: Vec<PathBuf> = Vec::new();
    let folders = params.get("workspaceFolders").and_then(|v| v.as_array()).cloned().unwrap_or_default();
    let uris = folders.iter().filter_map(|f| f.get("uri")).chain(params.get("rootUri"));
    for u in uris.filter_map(|u| u.as_str()).filter_map(uri_to_path) {
        if let Some(r) = discover::find_project_root(&discover::normalize(&u))
            && !workspace_roots.contains(&r)
        {
            workspace_roots.push(r);
        }
    }
    let mut server = Server {
        conn: connection,
        workspace_roots,
        snapshots: HashMap::new(),
        narrow: HashMap::new(),
        encoding,
        debounce,
        docs: HashMap::new(),
        pending: HashMap::new(),
        published: HashMap::new(),
        shutdown: false,
        shown_errors: HashSet::new(),
    };
    if watch {
        server.register_watchers();
    }
    server.main_loop()
}

struct Doc {
    uri: Uri,
    /// Normalised absolute path.
    path: PathBuf,
    text: String,
    version: i32,
    kind: Option<FileKind>,
    root: Option<PathBuf>,
}

struct Server<'c> {
    conn: &'c Connection,
    /// Project roots of the workspace folders (for `workspace/symbol`).
    workspace_roots: Vec<PathBuf>,
    /// The project model per root, for navigation; dropped when something of the root changes.
    snapshots: HashMap<PathBuf, nav::Snapshot>,
    /// Per root, the model of the last lint of its open documents (narrow: those documents
    /// and what they reference), or of a navigation request's document: definition and hover
    /// in a document it holds need no model of the whole root.
    narrow: HashMap<PathBuf, nav::Snapshot>,
    encoding: Encoding,
    debounce: Duration,
    /// Open documents by URI string.
    docs: HashMap<String, Doc>,
    /// Documents to re-lint, and when.
    pending: HashMap<String, Instant>,
    /// The diagnostics last published per URI (for code actions).
    published: HashMap<String, Vec<lsp_types::Diagnostic>>,
    shutdown: bool,
    /// Config errors already shown to the user.
    shown_errors: HashSet<String>,
}

impl Server<'_> {
    fn main_loop(&mut self) -> i32 {
        loop {
            let next = self.pending.values().min().copied();
            let msg = match next {
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    match self.conn.receiver.recv_timeout(wait) {
                        Ok(m) => Some(m),
                        Err(e) if e.is_timeout() => None,
                        Err(_) => return 1,
                    }
                }
                None => match self.conn.receiver.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return 1,
                },
            };
            match msg {
                None => {}
                Some(Message::Request(req)) => {
                    if self.shutdown {
                        self.respond_err(req.id, ErrorCode::InvalidRequest, "the server is shutting down");
                    } else if req.method == "shutdown" {
                        self.shutdown = true;
                        self.send(Response::new_ok(req.id, serde_json::Value::Null).into());
                    } else {
                        self.handle_request(req);
                    }
                }
                Some(Message::Notification(n)) => {
                    if n.method == "exit" {
                        return if self.shutdown { 0 } else { 1 };
                    }
                    if !self.shutdown {
                        self.handle_notification(n);
                    }
                }
                Some(Message::Response(_)) => {}
            }
            self.flush_due();
        }
    }

    fn send(&self, msg: Message) {
        let _ = self.conn.sender.send(msg);
    }

    fn respond_err(&self, id: RequestId, code: ErrorCode, message: &str) {
        self.send(Response::new_err(id, code as i32, message.to_string()).into());
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.send(Notification::new(method.to_string(), params).into());
    }

    fn log(&self, kind: u8, message: String) {
        self.notify("window/logMessage", json!({ "type": kind, "message": message }));
    }

    fn register_watchers(&self) {
        let params = json!({
            "registrations": [{
                "id": "buck-lint-watched-files",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": [
                    { "globPattern": "**/{fixups.toml,reindeer.toml,Cargo.lock,Cargo.toml,.buckconfig,.buckconfig.local,buck-lint.toml,.buck-lint.toml}" },
                    { "globPattern": "**/*.{bzl,bxl}" },
                    { "globPattern": "**/{BUCK,BUCK.v2,TARGETS,TARGETS.v2,PACKAGE,BUCK_TREE}" },
                ]},
            }],
        });
        self.send(
            Request::new(
                RequestId::from("buck-lint/register-watchers".to_string()),
                "client/registerCapability".to_string(),
                params,
            )
            .into(),
        );
    }

    fn handle_request(&mut self, req: Request) {
        match req.method.as_str() {
            "textDocument/codeAction" => {
                let params: CodeActionParams = match serde_json::from_value(req.params) {
                    Ok(p) => p,
                    Err(e) => return self.respond_err(req.id, ErrorCode::InvalidParams, &e.to_string()),
                };
                let key = params.text_document.uri.as_str().to_string();
                let result = match self.docs.get(&key) {
                    Some(doc) => {
                        let view = actions::DocView { uri: &doc.uri, text: &doc.text, kind: doc.kind };
                        let published = self.published.get(&key).map(Vec::as_slice).unwrap_or(&[]);
                        actions::code_actions(&view, self.encoding, params.range, &params.context, published)
                    }
                    None => Vec::new(),
                };
                self.send(Response::new_ok(req.id, result).into());
            }
            "textDocument/definition" | "textDocument/hover" | "textDocument/documentSymbol" | "workspace/symbol" => {
                let id = req.id.clone();
                match std::panic::catch_unwind(AssertUnwindSafe(|| self.navigate(&req.method, &req.params))) {
                    Ok(Ok(v)) => self.send(Response::new_ok(id, v).into()),
                    Ok(Err(e)) => self.respond_err(id, ErrorCode::InvalidParams, &e),
                    Err(_) => {
                        self.respond_err(id, ErrorCode::InternalError, "buck-lint crashed answering this request")
                    }
                }
            }
            _ => self.respond_err(req.id, ErrorCode::MethodNotFound, &format!("unhandled method {}", req.method)),
        }
    }

    fn handle_notification(&mut self, n: Notification) {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else { return };
                let td = p.text_document;
                let key = td.uri.as_str().to_string();
                let Some(path) = uri_to_path(td.uri.as_str()) else { return };
                let path = discover::normalize(&path);
                let root = discover::find_project_root(&path);
                let names = match &root {
                    Some(r) => discover::root_config(r).build_file_names,
                    None => discover::DEFAULT_BUILD_FILES.iter().map(|s| s.to_string()).collect(),
                };
                let kind = discover::classify(&path, &names);
                if std::fs::read_to_string(&path).ok().as_deref() != Some(td.text.as_str()) {
                    self.invalidate(root.as_deref());
                }
                self.docs
                    .insert(key.clone(), Doc { uri: td.uri, path, text: td.text, version: td.version, kind, root });
                self.pending.remove(&key);
                self.lint(vec![key]);
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else { return };
                let key = p.text_document.uri.as_str().to_string();
                let encoding = self.encoding;
                let Some(doc) = self.docs.get_mut(&key) else { return };
                for change in p.content_changes {
                    match change.range {
                        None => doc.text = change.text,
                        Some(r) => {
                            let idx = LineIndex::new(&doc.text);
                            let s = encoding.offset(&doc.text, &idx, r.start);
                            let e = encoding.offset(&doc.text, &idx, r.end).max(s);
                            doc.text.replace_range(s..e, &change.text);
                        }
                    }
                }
                doc.version = p.text_document.version;
                let root = doc.root.clone();
                self.invalidate(root.as_deref());
                self.pending.insert(key, Instant::now() + self.debounce);
            }
            "textDocument/didSave" => {
                let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params) else { return };
                let key = p.text_document.uri.as_str().to_string();
                if let (Some(doc), Some(text)) = (self.docs.get_mut(&key), p.text)
                    && doc.text != text
                {
                    doc.text = text;
                    let root = doc.root.clone();
                    self.invalidate(root.as_deref());
                }
                if self.docs.contains_key(&key) {
                    self.pending.remove(&key);
                    let keys = self.affected(&[key]);
                    self.lint(keys);
                }
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else { return };
                let key = p.text_document.uri.as_str().to_string();
                self.pending.remove(&key);
                let Some(doc) = self.docs.remove(&key) else { return };
                if std::fs::read_to_string(&doc.path).ok().as_deref() != Some(doc.text.as_str()) {
                    self.invalidate(doc.root.as_deref());
                }
                self.published.remove(&key);
                self.publish(doc.uri.clone(), None, Vec::new());
                // Its on-disk text now replaces the buffer as context for the others.
                let others: Vec<String> = self
                    .docs
                    .iter()
                    .filter(|(_, d)| doc.root.is_some() && d.root == doc.root)
                    .map(|(k, _)| k.clone())
                    .collect();
                self.schedule(others);
            }
            "workspace/didChangeWatchedFiles" => {
                let Ok(p) = serde_json::from_value::<DidChangeWatchedFilesParams>(n.params) else { return };
                let mut keys = Vec::new();
                for change in p.changes {
                    let Some(path) = uri_to_path(change.uri.as_str()) else { continue };
                    let path = discover::normalize(&path);
                    let root = discover::find_project_root(&path);
                    self.invalidate(root.as_deref());
                    for (k, d) in &self.docs {
                        let same = match (&root, &d.root) {
                            (Some(a), Some(b)) => a == b,
                            _ => d.path.parent() == path.parent(),
                        };
                        if same {
                            keys.push(k.clone());
                        }
                    }
                }
                self.schedule(keys);
            }
            "workspace/didChangeConfiguration" => {
                self.snapshots.clear();
                self.narrow.clear();
                let keys: Vec<String> = self.docs.keys().cloned().collect();
                self.schedule(keys);
            }
            _ => {}
        }
    }

    /// Drop the navigation model of a root (all of them for a file outside any root).
    fn invalidate(&mut self, root: Option<&Path>) {
        match root {
            Some(r) => {
                self.snapshots.remove(r);
                self.narrow.remove(r);
            }
            None => {
                self.snapshots.clear();
                self.narrow.clear();
            }
        }
    }

    /// The navigation model of a root, built from the open buffers and the disk if needed.
    fn snapshot(&mut self, root: &Path) -> &nav::Snapshot {
        if !self.snapshots.contains_key(root) {
            let cfg = config::find_config(root, Some(root));
            let settings = self.settings(cfg.as_deref());
            let overlays: HashMap<PathBuf, String> =
                self.docs.values().map(|d| (d.path.clone(), d.text.clone())).collect();
            let snap = nav::Snapshot::build(root, overlays, &settings);
            self.snapshots.insert(root.to_path_buf(), snap);
        }
        &self.snapshots[root]
    }

    /// The model a request about `path` is answered from: the whole root's when it is built;
    /// else the last lint's when it holds the document; else a narrow model built for the
    /// document (what a lint of it would read: a few hundred milliseconds in a large tree,
    /// where the whole root takes seconds).
    fn snapshot_for(&mut self, root: &Path, path: &Path) -> &nav::Snapshot {
        if self.snapshots.contains_key(root) {
            return &self.snapshots[root];
        }
        let holds = |s: &nav::Snapshot| s.project.file_at(path).is_some_and(|id| s.files.get(id).reported);
        if !self.narrow.get(root).is_some_and(holds) {
            let cfg = config::find_config(path.parent().unwrap_or(root), Some(root));
            let settings = self.settings(cfg.as_deref());
            let overlays: HashMap<PathBuf, String> =
                self.docs.values().map(|d| (d.path.clone(), d.text.clone())).collect();
            let snap = nav::Snapshot::build_narrow(path, overlays, &settings);
            self.narrow.insert(root.to_path_buf(), snap);
        }
        &self.narrow[root]
    }

    /// `textDocument/definition`, `textDocument/hover`, `textDocument/documentSymbol` and
    /// `workspace/symbol`.
    fn navigate(&mut self, method: &str, params: &serde_json::Value) -> Result<serde_json::Value, String> {
        let encoding = self.encoding;
        if method == "workspace/symbol" {
            let query = params.get("query").and_then(|q| q.as_str()).ok_or("missing query")?.to_string();
            let mut roots = self.workspace_roots.clone();
            for d in self.docs.values() {
                if let Some(r) = &d.root
                    && !roots.contains(r)
                {
                    roots.push(r.clone());
                }
            }
            let mut out = Vec::new();
            for root in roots {
                self.snapshot(&root);
                let open = self.open_buffers();
                let l = nav::Locator::new(&self.snapshots[&root], encoding, &open);
                nav::workspace_symbols(&l, &query, 500, &mut out);
            }
            return Ok(serde_json::Value::Array(out));
        }
        let uri = params.pointer("/textDocument/uri").and_then(|u| u.as_str()).ok_or("missing textDocument.uri")?;
        let position: Option<lsp_types::Position> =
            params.get("position").and_then(|p| serde_json::from_value(p.clone()).ok());
        if method != "textDocument/documentSymbol" && position.is_none() {
            return Err("missing position".into());
        }
        // The buffer, or the file on disk when the client did not open it.
        let (path, text, kind, root) = match self.docs.get(uri) {
            Some(d) => (d.path.clone(), d.text.clone(), d.kind, d.root.clone()),
            None => {
                let Some(path) = uri_to_path(uri).map(|p| discover::normalize(&p)) else {
                    return Ok(serde_json::Value::Null);
                };
                let root = discover::find_project_root(&path);
                let names = match &root {
                    Some(r) => discover::root_config(r).build_file_names,
                    None => discover::DEFAULT_BUILD_FILES.iter().map(|s| s.to_string()).collect(),
                };
                let kind = discover::classify(&path, &names);
                (path.clone(), std::fs::read_to_string(&path).unwrap_or_default(), kind, root)
            }
        };
        let Some(root) = root else { return Ok(serde_json::Value::Null) };
        let open = self.open_buffers();
        let snap = self.snapshot_for(&root, &path);
        let l = nav::Locator::new(snap, encoding, &open);
        let idx = LineIndex::new(&text);
        let offset = position.map_or(0, |p| encoding.offset(&text, &idx, p));
        let cursor = nav::Cursor { path: &path, text: &text, kind, offset };
        let value = match method {
            "textDocument/definition" => {
                let locs = nav::definition(&l, &cursor);
                if locs.is_empty() { serde_json::Value::Null } else { json!(locs) }
            }
            "textDocument/hover" => match nav::hover(&l, &cursor) {
                Some((markdown, range)) => json!({
                    "contents": { "kind": "markdown", "value": markdown },
                    "range": encoding.range(&text, &idx, range),
                }),
                None => serde_json::Value::Null,
            },
            _ => json!(nav::document_symbols(&l, &cursor)),
        };
        Ok(value)
    }

    fn open_buffers(&self) -> HashMap<PathBuf, (String, String)> {
        self.docs.values().map(|d| (d.path.clone(), (d.uri.as_str().to_string(), d.text.clone()))).collect()
    }

    fn schedule(&mut self, keys: Vec<String>) {
        let at = Instant::now() + self.debounce;
        for k in keys {
            self.pending.entry(k).or_insert(at);
        }
    }

    fn flush_due(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self.pending.iter().filter(|(_, t)| **t <= now).map(|(k, _)| k.clone()).collect();
        if due.is_empty() {
            return;
        }
        for k in &due {
            self.pending.remove(k);
        }
        let keys = self.affected(&due);
        self.lint(keys);
    }

    /// The documents whose findings may change with these: every open document of the same
    /// project (the engine lints them together in one run, so this costs little).
    fn affected(&self, keys: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for k in keys {
            let Some(doc) = self.docs.get(k) else { continue };
            match &doc.root {
                Some(root) => {
                    for (k2, d2) in &self.docs {
                        if d2.root.as_ref() == Some(root) {
                            out.push(k2.clone());
                        }
                    }
                }
                None => out.push(k.clone()),
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn publish(&self, uri: Uri, version: Option<i32>, diagnostics: Vec<lsp_types::Diagnostic>) {
        self.notify("textDocument/publishDiagnostics", PublishDiagnosticsParams { uri, diagnostics, version });
    }

    /// Lint these open documents and publish their diagnostics.
    fn lint(&mut self, keys: Vec<String>) {
        // group by (project root, config file): one engine run per group
        let mut groups: HashMap<(Option<PathBuf>, Option<PathBuf>), Vec<String>> = HashMap::new();
        for k in keys {
            let Some(doc) = self.docs.get(&k) else { continue };
            if doc.kind.is_none() {
                self.publish(doc.uri.clone(), Some(doc.version), Vec::new());
                continue;
            }
            let start = doc.path.parent().unwrap_or(Path::new("/"));
            let cfg = config::find_config(start, doc.root.as_deref());
            groups.entry((doc.root.clone(), cfg)).or_default().push(k);
        }
        if groups.is_empty() {
            return;
        }
        let overlays: HashMap<PathBuf, String> = self.docs.values().map(|d| (d.path.clone(), d.text.clone())).collect();
        let open_uris: HashMap<PathBuf, String> = self.docs.iter().map(|(k, d)| (d.path.clone(), k.clone())).collect();
        let mut groups: Vec<_> = groups.into_iter().collect();
        groups.sort();
        for ((_root, cfg), keys) in groups {
            let settings = self.settings(cfg.as_deref());
            let (on_disk, in_memory): (Vec<String>, Vec<String>) =
                keys.into_iter().partition(|k| self.docs[k].path.is_file());
            let mut runs: Vec<(RunOptions, Vec<String>)> = Vec::new();
            if !on_disk.is_empty() {
                runs.push((
                    RunOptions {
                        crate_cache: None,
                        sequential_walk: false,
                        regular_files: None,
                        targeted_context: false,
                        known_root: None,
                        prewalked: None,
                        paths: on_disk.iter().map(|k| self.docs[k].path.clone()).collect(),
                        stdin: None,
                        force_exclude: true,
                        overlays: overlays.clone(),
                    },
                    on_disk,
                ));
            }
            // A buffer never saved to disk goes in as "stdin" with its path.
            for k in in_memory {
                let d = &self.docs[&k];
                runs.push((
                    RunOptions {
                        crate_cache: None,
                        sequential_walk: false,
                        regular_files: None,
                        targeted_context: false,
                        known_root: None,
                        prewalked: None,
                        paths: Vec::new(),
                        stdin: Some((d.path.clone(), d.text.clone())),
                        force_exclude: true,
                        overlays: overlays.clone(),
                    },
                    vec![k],
                ));
            }
            for (opts, keys) in runs {
                self.run_and_publish(&opts, &settings, &keys, &open_uris);
            }
        }
    }

    fn settings(&mut self, cfg: Option<&Path>) -> Settings {
        match config::resolve(cfg, &CliOverrides::default()) {
            Ok(s) => s,
            Err(e) => {
                let msg = format!("buck-lint: {e} (using the default settings)");
                if self.shown_errors.insert(msg.clone()) {
                    self.notify("window/showMessage", json!({ "type": 1, "message": msg }));
                }
                Settings::default()
            }
        }
    }

    fn run_and_publish(
        &mut self,
        opts: &RunOptions,
        settings: &Settings,
        keys: &[String],
        open_uris: &HashMap<PathBuf, String>,
    ) {
        let (result, project) =
            match std::panic::catch_unwind(AssertUnwindSafe(|| engine::run_with_model(opts, settings))) {
                Ok(r) => r,
                Err(_) => {
                    self.log(1, "buck-lint crashed while linting; diagnostics were not updated".into());
                    return;
                }
            };
        for (p, e) in &result.io_errors {
            self.log(2, format!("{p}: {e}"));
        }
        let mut by_key: HashMap<&str, Vec<lsp_types::Diagnostic>> =
            keys.iter().map(|k| (k.as_str(), Vec::new())).collect();
        let mut conv = convert::Converter::new(&result.files, self.encoding, open_uris);
        for d in &result.diagnostics {
            let path = &result.files.get(d.primary.file).path;
            let Some(key) = open_uris.get(path) else { continue };
            let Some(list) = by_key.get_mut(key.as_str()) else { continue };
            list.push(conv.diagnostic(d));
        }
        let mut out: Vec<(String, Vec<lsp_types::Diagnostic>)> =
            by_key.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, diags) in out {
            let Some(doc) = self.docs.get(&key) else { continue };
            self.publish(doc.uri.clone(), Some(doc.version), diags.clone());
            self.published.insert(key, diags);
        }
        // keep the model for navigation in these documents (a model of a stdin buffer has no
        // file on disk to go back to, but its labels resolve the same)
        if let Some(root) = result.root.clone() {
            self.narrow.insert(root, nav::Snapshot { files: result.files, project });
        }
    }
}
