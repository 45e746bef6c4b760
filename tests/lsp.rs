//! Language server tests.
//!
//! - `pygls_client`: runs `tests/lsp_client.py`, an independent LSP client (pygls), against
//!   the built binary over stdio. Skipped with a message when pygls is missing and `CI` is
//!   unset; with `CI` set it always runs (and fails without pygls).
//! - The other tests drive `buck_lint::lsp::serve` in-process over an in-memory connection.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

const RULE: &str = "proc-macro-inner-target-dep";

fn python_has(module: &str) -> bool {
    Command::new("python3").args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success())
}

fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty())
}

#[test]
fn pygls_client() {
    if !python_has("pygls") && !in_ci() {
        eprintln!("skipping pygls_client: `python3 -c 'import pygls'` failed (pip install pygls); CI is not set");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp_client.py");
    let out = Command::new("python3").arg(&script).arg(env!("CARGO_BIN_EXE_buck-lint")).output().expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tests/lsp_client.py failed ({}):\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("all checks passed"), "{stdout}\n{stderr}");
}

// ---------------------------------------------------------------------------------------
// In-process tests

struct Client {
    conn: Connection,
    server: Option<JoinHandle<i32>>,
    next_id: i32,
    /// Notifications received while waiting for something else.
    backlog: Vec<Notification>,
}

const WAIT: Duration = Duration::from_secs(30);

impl Client {
    fn start(init: Value) -> (Client, Value) {
        let (server_conn, conn) = Connection::memory();
        let server = std::thread::Builder::new()
            .stack_size(16 << 20)
            .spawn(move || buck_lint::lsp::serve(&server_conn))
            .unwrap();
        let mut c = Client { conn, server: Some(server), next_id: 0, backlog: Vec::new() };
        let mut params = init;
        params["initializationOptions"] = json!({ "debounceMs": 20 });
        let result = c.request("initialize", params).expect("initialize");
        c.notify("initialized", json!({}));
        (c, result)
    }

    fn notify(&self, method: &str, params: Value) {
        self.conn.sender.send(Notification::new(method.to_string(), params).into()).unwrap();
    }

    /// Send a request; Ok(result) or Err(error code).
    fn request(&mut self, method: &str, params: Value) -> Result<Value, i32> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.conn.sender.send(Request::new(id.clone(), method.to_string(), params).into()).unwrap();
        let deadline = Instant::now() + WAIT;
        loop {
            let msg = self
                .conn
                .receiver
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("no response to {method}"));
            match msg {
                Message::Response(r) if r.id == id => {
                    return r.response_result.map_err(|e| e.code);
                }
                Message::Notification(n) => self.backlog.push(n),
                _ => {}
            }
        }
    }

    fn next_notification(&mut self, deadline: Instant) -> Option<Notification> {
        if !self.backlog.is_empty() {
            return Some(self.backlog.remove(0));
        }
        loop {
            match self.conn.receiver.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Message::Notification(n)) => return Some(n),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }

    /// Wait for a notification satisfying `pred`.
    fn wait_notification(&mut self, what: &str, pred: impl Fn(&Notification) -> bool) -> Notification {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        while let Some(n) = self.next_notification(deadline) {
            if pred(&n) {
                return n;
            }
            seen.push(format!("{} {}", n.method, n.params));
        }
        panic!("timed out waiting for {what}; saw:\n{}", seen.join("\n"));
    }

    /// Wait for diagnostics published for `uri` satisfying `pred`.
    fn wait_diagnostics(&mut self, uri: &str, what: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let n = self.wait_notification(what, |n| {
            n.method == "textDocument/publishDiagnostics"
                && n.params["uri"] == uri
                && pred(n.params["diagnostics"].as_array().map(Vec::as_slice).unwrap_or(&[]))
        });
        n.params["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    fn open(&self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "starlark", "version": 1, "text": text } }),
        );
    }

    fn exit_code(&mut self) -> i32 {
        self.server.take().unwrap().join().expect("server thread")
    }

    fn shutdown(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Ok(Value::Null));
        self.notify("exit", Value::Null);
        assert_eq!(self.exit_code(), 0);
    }
}

fn with_rule<'a>(diags: &'a [Value], rule: &str) -> Vec<&'a Value> {
    diags.iter().filter(|d| d["code"] == rule).collect()
}

fn uri(p: &Path) -> String {
    buck_lint::lsp::path_to_uri(p)
}

const LIB_BUCK: &str = r#"rust_library(
    name = "m-1.0.0",
    proc_macro = True,
    srcs = ["src/lib.rs"],
    crate = "m",
)
"#;

const APP_BUCK: &str = r#"rust_library(
    name = "app",
    srcs = ["src/app.rs"],
    deps = ["//lib:_m-1.0.0"],
)
"#;

fn tree() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join(".buckconfig"), "[cells]\n  root = .\n  prelude = prelude\n").unwrap();
    std::fs::create_dir_all(root.join("lib")).unwrap();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(root.join("lib/BUCK"), LIB_BUCK).unwrap();
    std::fs::write(root.join("app/BUCK"), APP_BUCK).unwrap();
    (dir, root)
}

fn apply(text: &str, edits: &[Value]) -> String {
    // UTF-8 positions (the tests that call this negotiate utf-8)
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let ch = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + ch
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| (offset(&e["range"]["start"]), offset(&e["range"]["end"]), e["newText"].as_str().unwrap().to_string()))
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (s, e, new) in spans {
        out.replace_range(s..e, &new);
    }
    out
}

#[test]
fn exit_without_shutdown_is_an_error_and_requests_after_shutdown_fail() {
    let (mut c, result) = Client::start(json!({ "capabilities": {} }));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(result["serverInfo"]["name"], "buck-lint");
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), 1);

    let (mut c, _) = Client::start(json!({ "capabilities": {} }));
    assert_eq!(c.request("shutdown", Value::Null), Ok(Value::Null));
    let err = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": "file:///x/BUCK" }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "context": { "diagnostics": [] } }),
    );
    assert_eq!(err, Err(lsp_server::ErrorCode::InvalidRequest as i32));
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), 0);
}

#[test]
fn unknown_requests_get_method_not_found() {
    let (mut c, _) = Client::start(json!({ "capabilities": {} }));
    assert_eq!(c.request("textDocument/rename", json!({})), Err(lsp_server::ErrorCode::MethodNotFound as i32));
    c.shutdown();
}

#[test]
fn navigation_is_advertised_and_answers_in_process() {
    let (_d, root) = tree();
    let (mut c, result) = Client::start(json!({ "capabilities": {}, "rootUri": uri(&root) }));
    for cap in ["definitionProvider", "hoverProvider", "documentSymbolProvider", "workspaceSymbolProvider"] {
        assert_eq!(result["capabilities"][cap], true, "{cap}");
    }
    let app = uri(&root.join("app/BUCK"));
    c.open(&app, APP_BUCK);
    // "//lib:_m-1.0.0" names nothing; "//lib:m-1.0.0" in an unsaved edit does
    let pos = |text: &str, needle: &str| {
        let i = text.find(needle).unwrap() + 3;
        let line = text[..i].matches('\n').count();
        json!({ "line": line, "character": i - text[..i].rfind('\n').map_or(0, |n| n + 1) })
    };
    let def = c
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": app }, "position": pos(APP_BUCK, "//lib") }),
        )
        .unwrap();
    assert_eq!(def, Value::Null);
    let edited = APP_BUCK.replace("_m-1.0.0", "m-1.0.0");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": app, "version": 2 }, "contentChanges": [{ "text": edited }] }),
    );
    let def = c
        .request(
            "textDocument/definition",
            json!({ "textDocument": { "uri": app }, "position": pos(&edited, "//lib") }),
        )
        .unwrap();
    assert_eq!(def[0]["uri"], uri(&root.join("lib/BUCK")), "{def}");
    assert_eq!(def[0]["range"]["start"], json!({ "line": 1, "character": 11 }), "{def}");
    let hover = c
        .request("textDocument/hover", json!({ "textDocument": { "uri": app }, "position": pos(&edited, "//lib") }))
        .unwrap();
    let md = hover["contents"]["value"].as_str().unwrap();
    assert!(md.contains("root//lib:m-1.0.0") && md.contains("`rust_library`"), "{md}");
    // a new target in the unsaved buffer is found by workspace/symbol
    let more = format!("{edited}\nrust_library(name = \"brand-new\", srcs = [\"x.rs\"])\n");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": app, "version": 3 }, "contentChanges": [{ "text": more }] }),
    );
    let found = c.request("workspace/symbol", json!({ "query": "brand" })).unwrap();
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    assert_eq!(found[0]["name"], "brand-new");
    assert_eq!(found[0]["location"]["range"]["start"]["line"], 6, "{found}");
    let syms = c.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": app } })).unwrap();
    let names: Vec<&str> = syms.as_array().unwrap().iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["app", "brand-new"]);
    c.shutdown();
}

#[test]
fn unused_suppression_is_tagged_and_fix_all_clears_everything() {
    let (_d, root) = tree();
    let text = LIB_BUCK
        .replace("    crate = \"m\",\n", "    crate = \"m\",  # buck-lint: disable=proc-macro-inner-target-dep\n")
        + "\nrust_library(name = \"u\u{e9}\", srcs = [], deps = [\":_m-1.0.0\"])\n";
    let (mut c, result) = Client::start(json!({ "capabilities": { "general": { "positionEncodings": ["utf-8"] } } }));
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    let u = uri(&root.join("lib/BUCK"));
    c.open(&u, &text);
    let diags = c.wait_diagnostics(&u, "two findings", |d| d.len() == 2);
    let unused = with_rule(&diags, "unused-suppression");
    assert_eq!(unused.len(), 1, "{diags:?}");
    assert_eq!(unused[0]["tags"], json!([1]));
    assert_eq!(unused[0]["severity"], 2);
    assert_eq!(unused[0]["source"], "buck-lint");
    let r16 = with_rule(&diags, RULE);
    assert_eq!(r16.len(), 1);
    assert_eq!(r16[0]["severity"], 1);
    assert!(r16[0].get("tags").is_none());
    // utf-8 columns: `é` is two bytes
    let line = text.lines().nth(7).unwrap();
    let col = line.find("\":_m").unwrap();
    assert_eq!(r16[0]["range"]["start"], json!({ "line": 7, "character": col }));

    let actions = c
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": u },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [], "only": ["source.fixAll"] },
            }),
        )
        .unwrap();
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.buck-lint");
    let edits = actions[0]["edit"]["changes"][&u].as_array().unwrap();
    let fixed = apply(&text, edits);
    assert!(!fixed.contains("buck-lint: disable"), "{fixed}");
    assert!(fixed.contains("deps = [\":m-1.0.0\"]"), "{fixed}");
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    c.wait_diagnostics(&u, "no findings after fix-all", |d| d.is_empty());
    c.shutdown();
}

#[test]
fn on_disk_change_of_another_file_relints_open_documents() {
    let (_d, root) = tree();
    let (mut c, _) = Client::start(json!({
        "capabilities": { "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }
    }));
    let app = uri(&root.join("app/BUCK"));
    c.open(&app, APP_BUCK);
    let diags = c.wait_diagnostics(&app, RULE, |d| !with_rule(d, RULE).is_empty());
    // related information points at the proc macro in the other file
    let rel = &with_rule(&diags, RULE)[0]["relatedInformation"][0]["location"];
    assert_eq!(rel["uri"], uri(&root.join("lib/BUCK")));
    assert_eq!(rel["range"]["start"]["line"], 1);
    assert!(
        with_rule(&diags, RULE)[0]["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/rules/proc-macro-inner-target-dep.md")
    );
    std::fs::write(root.join("lib/BUCK"), LIB_BUCK.replace("    proc_macro = True,\n", "")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&root.join("lib/BUCK")), "type": 2 }] }),
    );
    c.wait_diagnostics(&app, "re-lint after the on-disk change", |d| with_rule(d, RULE).is_empty());
    c.shutdown();
}

#[test]
fn unsaved_files_unknown_files_and_close() {
    let (_d, root) = tree();
    let (mut c, _) = Client::start(json!({ "capabilities": {} }));
    // a build file that exists only in the editor
    let new = uri(&root.join("new/BUCK"));
    c.open(&new, APP_BUCK);
    c.wait_diagnostics(&new, "findings in an unsaved buffer", |d| !with_rule(d, RULE).is_empty());
    // not a file buck-lint lints: an empty publish
    let readme = uri(&root.join("README.md"));
    c.open(&readme, "# hi\n");
    c.wait_diagnostics(&readme, "an empty publish", |d| d.is_empty());
    // closing clears
    c.notify("textDocument/didClose", json!({ "textDocument": { "uri": new } }));
    c.wait_diagnostics(&new, "cleared on close", |d| d.is_empty());
    c.shutdown();
}

#[test]
fn config_errors_are_shown_and_linting_goes_on() {
    let (_d, root) = tree();
    std::fs::write(root.join("buck-lint.toml"), "[lint]\nno-such-key = 1\n").unwrap();
    let (mut c, _) = Client::start(json!({ "capabilities": {} }));
    let app = uri(&root.join("app/BUCK"));
    c.open(&app, APP_BUCK);
    let n = c.wait_notification("window/showMessage", |n| n.method == "window/showMessage");
    assert_eq!(n.params["type"], 1);
    assert!(n.params["message"].as_str().unwrap().contains("no-such-key"), "{}", n.params);
    c.wait_diagnostics(&app, RULE, |d| !with_rule(d, RULE).is_empty());
    c.shutdown();
}

#[test]
fn disable_action_on_a_line_with_a_comment_goes_above() {
    let (_d, root) = tree();
    let (mut c, _) =
        Client::start(json!({ "capabilities": { "general": { "positionEncodings": ["utf-16", "utf-8"] } } }));
    let app = uri(&root.join("app/BUCK"));
    let text = APP_BUCK.replace("deps = [\"//lib:_m-1.0.0\"],", "deps = [\"//lib:_m-1.0.0\"],  # why");
    c.open(&app, &text);
    let diags = c.wait_diagnostics(&app, RULE, |d| !with_rule(d, RULE).is_empty());
    let d = with_rule(&diags, RULE)[0].clone();
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": app }, "range": d["range"], "context": { "diagnostics": [d] } }),
        )
        .unwrap();
    let disable = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == format!("Disable {RULE} for this line"))
        .expect("disable action")
        .clone();
    let edited = apply(&text, disable["edit"]["changes"][&app].as_array().unwrap());
    assert!(
        edited.contains(
            "    # buck-lint: disable=proc-macro-inner-target-dep\n    deps = [\"//lib:_m-1.0.0\"],  # why\n"
        ),
        "{edited}"
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": app, "version": 2 }, "contentChanges": [{ "text": edited }] }),
    );
    c.wait_diagnostics(&app, "suppressed", |d| d.is_empty());
    c.shutdown();
}
