//! `json` (one pretty-printed document) and `json-lines` (one compact object per finding).
//!
//! Shape (key order is part of the format):
//!
//! ```text
//! {"version": 1,
//!  "tool": {"name": "buck-lint", "version": "X.Y.Z"},
//!  "diagnostics": [{"rule", "code", "category", "severity", "message", "path", "line",
//!                   "column", "end_line", "end_column", "related": [{"path", "line",
//!                   "column", "end_line", "end_column", "message"}], "help", "url",
//!                   "fix": null | {"applicability", "description", "edits": [{"path",
//!                   "line", "column", "end_line", "end_column", "content"}]}}],
//!  "summary": {"files", "errors", "warnings", "infos", "fixable", "unsafe_fixable"}}
//! ```
//!
//! Lines and columns are 1-based, columns count Unicode scalar values, ends are exclusive.

use std::io::Write;

use serde::Serialize;

use super::{ReportOptions, Summary, region, rule_info};
use crate::diagnostic::Diagnostic;
use crate::files::Files;

/// Version of the JSON document format.
pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool<'a>,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: &'a Summary,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    rule: &'a str,
    code: Option<&'static str>,
    category: &'static str,
    severity: &'static str,
    message: &'a str,
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    related: Vec<JsonRelated<'a>>,
    help: Option<&'a str>,
    url: String,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'static str,
    description: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    content: &'a str,
}

pub(crate) fn diagnostic<'a>(d: &'a Diagnostic, files: &'a Files) -> JsonDiagnostic<'a> {
    let info = rule_info(d.rule.id());
    let r = region(files, d.primary);
    JsonDiagnostic {
        rule: d.rule.id(),
        code: info.code,
        category: info.category,
        severity: d.severity.as_str(),
        message: &d.message,
        path: files.display(d.primary.file),
        line: r.line,
        column: r.column,
        end_line: r.end_line,
        end_column: r.end_column,
        related: d
            .related
            .iter()
            .map(|rel| {
                let r = region(files, rel.span);
                JsonRelated {
                    path: files.display(rel.span.file),
                    line: r.line,
                    column: r.column,
                    end_line: r.end_line,
                    end_column: r.end_column,
                    message: &rel.message,
                }
            })
            .collect(),
        help: d.help.as_deref(),
        url: info.url,
        fix: d.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability.as_str(),
            description: &fix.description,
            edits: fix
                .edits
                .iter()
                .map(|e| {
                    let r = region(files, e.span);
                    JsonEdit {
                        path: files.display(e.span.file),
                        line: r.line,
                        column: r.column,
                        end_line: r.end_line,
                        end_column: r.end_column,
                        content: &e.content,
                    }
                })
                .collect(),
        }),
    }
}

pub(super) fn write_document(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    files: &Files,
    summary: &Summary,
    opts: &ReportOptions,
) -> std::io::Result<()> {
    let doc = Document {
        version: JSON_FORMAT_VERSION,
        tool: Tool { name: "buck-lint", version: opts.tool_version },
        diagnostics: diags.iter().map(|d| diagnostic(d, files)).collect(),
        summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

pub(super) fn write_lines(out: &mut dyn Write, diags: &[Diagnostic], files: &Files) -> std::io::Result<()> {
    for d in diags {
        serde_json::to_writer(&mut *out, &diagnostic(d, files))?;
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::*;
    use serde_json::{Value, json};

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().unwrap().keys().map(|k| k.as_str()).collect()
    }

    fn render(diags: &[Diagnostic], fx: &Fixture) -> String {
        let summary = Summary::from_diagnostics(fx.files.len(), diags);
        let opts = ReportOptions { tool_version: "9.8.7", ..ReportOptions::default() };
        let mut out = Vec::new();
        crate::report::write_report(&mut out, crate::report::Format::Json, diags, &fx.files, &summary, &opts).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn document_shape_and_values() {
        let fx = fixture();
        let diags = diagnostics(&fx);
        let text = render(&diags, &fx);
        // Pretty-printed with two spaces.
        assert!(text.starts_with("{\n  \"version\": 1,\n  \"tool\": {\n    \"name\": \"buck-lint\""));
        assert!(text.ends_with("}\n"));
        let v: Value = serde_json::from_str(&text).unwrap();
        // serde_json's Map may sort keys, so check the raw order separately.
        let pos = |k: &str| text.find(&format!("\"{k}\":")).unwrap();
        assert!(
            pos("version") < pos("tool") && pos("tool") < pos("diagnostics") && pos("diagnostics") < pos("summary")
        );
        let order = [
            "rule",
            "code",
            "category",
            "severity",
            "message",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "related",
            "help",
            "url",
            "fix",
        ];
        let first = &text[pos("diagnostics")..];
        let mut last = 0;
        for k in order {
            let p = first.find(&format!("\"{k}\":")).unwrap();
            assert!(p >= last, "key {k} out of order");
            last = p;
        }

        assert_eq!(v["version"], json!(1));
        assert_eq!(v["tool"], json!({"name": "buck-lint", "version": "9.8.7"}));
        assert_eq!(
            v["summary"],
            json!({"files": 2, "errors": 1, "warnings": 1, "infos": 0, "fixable": 0, "unsafe_fixable": 1})
        );
        let d = &v["diagnostics"];
        assert_eq!(d.as_array().unwrap().len(), 2);

        let r07 = &d[0];
        let mut k = keys(r07);
        k.sort();
        let mut want = order.to_vec();
        want.sort();
        assert_eq!(k, want);
        assert_eq!(r07["rule"], "re-full-hybrid-racing");
        assert_eq!(r07["code"], "R07");
        assert_eq!(r07["category"], "remote-execution");
        assert_eq!(r07["severity"], "warning");
        assert_eq!(r07["path"], "defs.bzl");
        assert_eq!((r07["line"].as_u64(), r07["column"].as_u64()), (Some(3), Some(26)));
        assert_eq!((r07["end_line"].as_u64(), r07["end_column"].as_u64()), (Some(3), Some(31)));
        assert_eq!(r07["related"], json!([]));
        assert_eq!(r07["help"], "set `use_limited_hybrid = True`");
        assert!(r07["url"].as_str().unwrap().ends_with("/rules/re-full-hybrid-racing.md"));
        assert_eq!(
            r07["fix"],
            json!({"applicability": "unsafe", "description": "Set `use_limited_hybrid = True`",
                   "edits": [{"path": "defs.bzl", "line": 3, "column": 26, "end_line": 3, "end_column": 31,
                              "content": "True"}]})
        );

        let r01 = &d[1];
        assert_eq!(r01["code"], "R01");
        assert_eq!(r01["category"], "determinism");
        assert_eq!(r01["severity"], "error");
        assert_eq!(r01["path"], "third_party/BUCK");
        assert_eq!(r01["message"], "café 0.1 compiles env!(\"OUT_DIR\") into the crate");
        // `"café-0.1"` starts at column 21 and is 10 scalars long (11 bytes).
        assert_eq!((r01["line"].as_u64(), r01["column"].as_u64()), (Some(2), Some(21)));
        assert_eq!((r01["end_line"].as_u64(), r01["end_column"].as_u64()), (Some(2), Some(31)));
        assert_eq!(r01["help"], Value::Null);
        assert_eq!(r01["fix"], Value::Null);
        assert_eq!(
            r01["related"],
            json!([
                {"path": "defs.bzl", "line": 2, "column": 8, "end_line": 2, "end_column": 29,
                 "message": "remote executor defined here"},
                {"path": "third_party/BUCK", "line": 2, "column": 40, "end_line": 2, "end_column": 49,
                 "message": "OUT_DIR set here"}
            ])
        );
    }

    #[test]
    fn empty_run() {
        let fx = fixture();
        let v: Value = serde_json::from_str(&render(&[], &fx)).unwrap();
        assert_eq!(v["diagnostics"], json!([]));
        assert_eq!(v["summary"]["errors"], 0);
    }

    #[test]
    fn json_lines_one_object_per_line() {
        let fx = fixture();
        let diags = diagnostics(&fx);
        let mut out = Vec::new();
        write_lines(&mut out, &diags, &fx.files).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.ends_with('\n'));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        for (line, d) in lines.iter().zip(&diags) {
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["rule"], d.rule.id());
            assert!(v.get("summary").is_none());
            assert_eq!(keys(&v).len(), 14);
        }
        // The same objects as in the document.
        let doc: Value = serde_json::from_str(&render(&diags, &fx)).unwrap();
        let first: Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(first, doc["diagnostics"][0]);
    }
}
