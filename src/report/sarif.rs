//! `sarif`: a SARIF 2.1.0 log with one run.
//!
//! Columns are Unicode scalar values (`columnKind: "unicodeCodePoints"`), ends exclusive.
//! Artifact URIs are relative to `%SRCROOT%` (the current directory), which
//! `originalUriBaseIds` resolves to a `file://` URI, as GitHub code scanning expects.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;

use super::{ReportOptions, region};
use crate::diagnostic::{Diagnostic, Severity};
use crate::files::Files;
use crate::rules::registry::{self, RuleMeta};
use crate::source::Span;

pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<SarifInvocation>,
    column_kind: &'static str,
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    results: Vec<SarifResult<'a>>,
}

/// How the run went (SARIF §3.20).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifInvocation {
    execution_successful: bool,
    exit_code: i32,
    start_time_utc: String,
    end_time_utc: String,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text<'static>,
    full_description: Text<'static>,
    help_uri: String,
    help: Help,
    default_configuration: Configuration,
    properties: Properties,
}

#[derive(Serialize)]
struct Text<'a> {
    text: std::borrow::Cow<'a, str>,
}

impl<'a> Text<'a> {
    fn new(s: impl Into<std::borrow::Cow<'a, str>>) -> Self {
        Text { text: s.into() }
    }
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    /// `Some(false)` for rules that are off by default; omitted (SARIF default `true`) otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<Fix<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'a> {
    id: usize,
    physical_location: PhysicalLocation,
    message: Text<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Fix<'a> {
    description: Text<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Text<'a>,
}

pub(super) fn write(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    files: &Files,
    opts: &ReportOptions,
) -> std::io::Result<()> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("/"));
    let log = build(diags, files, opts, &cwd);
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn build<'a>(diags: &'a [Diagnostic], files: &'a Files, opts: &'a ReportOptions, cwd: &std::path::Path) -> Log<'a> {
    let mut base_ids = BTreeMap::new();
    base_ids.insert(SRCROOT, ArtifactLocation { uri: dir_file_uri(&cwd.to_string_lossy()), uri_base_id: None });
    Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "buck-lint",
                    version: opts.tool_version,
                    information_uri: env!("CARGO_PKG_HOMEPAGE"),
                    rules: registry::RULES.iter().map(rule).collect(),
                },
            },
            invocations: opts
                .invocation
                .iter()
                .map(|i| SarifInvocation {
                    // exit 1 means findings: the run itself worked
                    execution_successful: i.exit_code != 2,
                    exit_code: i.exit_code,
                    start_time_utc: utc(i.start),
                    end_time_utc: utc(i.end),
                })
                .collect(),
            column_kind: "unicodeCodePoints",
            original_uri_base_ids: base_ids,
            results: {
                let mut seen: BTreeMap<String, usize> = BTreeMap::new();
                diags
                    .iter()
                    .map(|d| {
                        let fp = super::fingerprint(d, files, files.display(d.primary.file));
                        let n = seen.entry(fp.clone()).or_default();
                        *n += 1;
                        let mut r = result(d, files);
                        r.partial_fingerprints.insert(FINGERPRINT_KEY, format!("{fp}:{n}"));
                        r
                    })
                    .collect()
            },
        }],
    }
}

/// The `partialFingerprints` key: GitHub code scanning matches alerts across commits by it.
const FINGERPRINT_KEY: &str = "buckLintFinding/v1";

/// RFC 3339 UTC time, `2026-12-03T17:11:20.123Z`.
fn utc(t: std::time::SystemTime) -> String {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // civil date from days since 1970-01-01 (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(meta: &'static RuleMeta) -> Rule {
    let summary = meta.summary();
    let full = match why_it_matters(meta.doc) {
        Some(why) if summary.is_empty() => why,
        Some(why) if summary.ends_with(['.', '!', '?', ':']) => format!("{summary} {why}"),
        Some(why) => format!("{summary}. {why}"),
        None => summary.to_string(),
    };
    Rule {
        id: meta.id,
        name: meta.id,
        short_description: Text::new(summary),
        full_description: Text::new(full.clone()),
        help_uri: meta.url(),
        help: Help { text: full, markdown: meta.doc },
        default_configuration: Configuration {
            enabled: (!meta.default_enabled).then_some(false),
            level: level(meta.severity),
        },
        properties: Properties { tags: vec![meta.category.as_str()] },
    }
}

/// The first paragraph under `## Why it matters`, joined into one line.
fn why_it_matters(doc: &str) -> Option<String> {
    let mut lines = doc.lines();
    lines.find(|l| l.trim().eq_ignore_ascii_case("## why it matters"))?;
    let para: Vec<&str> = lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(str::trim)
        .collect();
    if para.is_empty() { None } else { Some(para.join(" ")) }
}

fn result<'a>(d: &'a Diagnostic, files: &'a Files) -> SarifResult<'a> {
    SarifResult {
        rule_id: d.rule.id(),
        rule_index: Some(d.rule as usize),
        level: level(d.severity),
        message: Text::new(d.message.as_str()),
        locations: vec![Location { physical_location: physical(files, d.primary) }],
        related_locations: d
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| RelatedLocation {
                id: i + 1,
                physical_location: physical(files, rel.span),
                message: Text::new(rel.message.as_str()),
            })
            .collect(),
        fixes: d.fix.as_ref().and_then(|fix| fix_of(fix, files)).into_iter().collect(),
        partial_fingerprints: BTreeMap::new(),
    }
}

fn fix_of<'a>(fix: &'a crate::diagnostic::Fix, files: &'a Files) -> Option<Fix<'a>> {
    // Group the edits per file, in order of first appearance.
    let mut changes: Vec<ArtifactChange<'a>> = Vec::new();
    let mut file_of_change = Vec::new();
    for e in &fix.edits {
        let replacement = Replacement {
            deleted_region: sarif_region(files, e.span),
            inserted_content: Text::new(e.content.as_str()),
        };
        match file_of_change.iter().position(|f| *f == e.span.file) {
            Some(i) => changes[i].replacements.push(replacement),
            None => {
                file_of_change.push(e.span.file);
                changes.push(ArtifactChange {
                    artifact_location: artifact_location(files.display(e.span.file)),
                    replacements: vec![replacement],
                });
            }
        }
    }
    if changes.is_empty() {
        return None; // SARIF requires at least one artifact change.
    }
    Some(Fix { description: Text::new(fix.description.as_str()), artifact_changes: changes })
}

fn physical(files: &Files, span: Span) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: artifact_location(files.display(span.file)),
        region: sarif_region(files, span),
    }
}

fn sarif_region(files: &Files, span: Span) -> Region {
    let r = region(files, span);
    Region { start_line: r.line, start_column: r.column, end_line: r.end_line, end_column: r.end_column }
}

/// A display path as a SARIF artifact location: relative to `%SRCROOT%`, or an absolute
/// `file://` URI for files outside the current directory.
fn artifact_location(display: &str) -> ArtifactLocation {
    if is_absolute(display) {
        ArtifactLocation { uri: file_uri(display), uri_base_id: None }
    } else {
        ArtifactLocation { uri: percent_encode_path(display.trim_start_matches("./")), uri_base_id: Some(SRCROOT) }
    }
}

fn is_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with('/') || p.starts_with('\\') || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// `file:///abs/path` (Windows: `file:///C:/abs/path`).
fn file_uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    let b = p.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        format!("file:///{}:{}", &p[..1], percent_encode_path(&p[2..]))
    } else {
        format!("file://{}", percent_encode_path(&format!("/{}", p.trim_start_matches('/'))))
    }
}

/// The file URI of a directory, with the trailing `/` that base URIs need.
fn dir_file_uri(path: &str) -> String {
    let mut uri = file_uri(path);
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Percent-encode everything but unreserved characters and `/`, byte by byte (UTF-8).
fn percent_encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::*;
    use serde_json::{Value, json};

    fn render(diags: &[Diagnostic], fx: &Fixture) -> Value {
        let opts = ReportOptions { tool_version: "9.8.7", ..ReportOptions::default() };
        let log = build(diags, &fx.files, &opts, std::path::Path::new("/work/my repo"));
        let text = serde_json::to_string_pretty(&log).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn log_and_driver() {
        let fx = fixture();
        let v = render(&diagnostics(&fx), &fx);
        assert_eq!(v["$schema"], SARIF_SCHEMA);
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["runs"].as_array().unwrap().len(), 1);
        let run = &v["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        assert_eq!(run["originalUriBaseIds"], json!({"%SRCROOT%": {"uri": "file:///work/my%20repo/"}}));
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "buck-lint");
        assert_eq!(driver["version"], "9.8.7");
        assert_eq!(driver["informationUri"], env!("CARGO_PKG_HOMEPAGE"));
        let rules = driver["rules"].as_array().unwrap();
        assert_eq!(rules.len(), registry::RULES.len());
        for (r, meta) in rules.iter().zip(registry::RULES) {
            assert_eq!(r["id"], meta.id);
            assert_eq!(r["name"], meta.id);
            assert_eq!(r["shortDescription"]["text"], meta.summary());
            let full = r["fullDescription"]["text"].as_str().unwrap();
            assert!(full.starts_with(meta.summary()));
            if let Some(why) = why_it_matters(meta.doc) {
                assert!(full.ends_with(&why), "{full}");
                assert!(full.len() > meta.summary().len() + why.len());
            }
            assert_eq!(r["helpUri"], meta.url());
            assert_eq!(r["help"]["markdown"], meta.doc);
            assert_eq!(r["properties"]["tags"], json!([meta.category.as_str()]));
            let want_level = level(meta.severity);
            assert_eq!(r["defaultConfiguration"]["level"], want_level);
            if meta.default_enabled {
                assert!(r["defaultConfiguration"].get("enabled").is_none());
            } else {
                assert_eq!(r["defaultConfiguration"]["enabled"], false);
            }
        }
        let info = rules.iter().find(|r| r["id"] == "re-local-cache-upload").unwrap();
        assert_eq!(info["defaultConfiguration"]["level"], "note");
    }

    #[test]
    fn full_description_uses_why_it_matters() {
        let doc = "# x (R99)\n\n**Category:** x\n\nShort summary\n\n## What it checks\n\nStuff.\n\n## Why it matters\n\nFirst line\nsecond line.\n\nSecond paragraph.\n";
        assert_eq!(why_it_matters(doc).as_deref(), Some("First line second line."));
        assert_eq!(why_it_matters("# x\n\nsummary\n"), None);
    }

    #[test]
    fn results() {
        let fx = fixture();
        let v = render(&diagnostics(&fx), &fx);
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 2);

        let r07 = &results[0];
        assert_eq!(r07["ruleId"], "re-full-hybrid-racing");
        assert_eq!(r07["ruleIndex"], registry::index_of("re-full-hybrid-racing").unwrap());
        assert_eq!(r07["level"], "warning");
        assert_eq!(
            r07["message"]["text"],
            "local and remote execution race for every action (use_limited_hybrid = False)"
        );
        assert_eq!(
            r07["locations"],
            json!([{"physicalLocation": {
                "artifactLocation": {"uri": "defs.bzl", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 26, "endLine": 3, "endColumn": 31}}}])
        );
        assert!(r07.get("relatedLocations").is_none());
        assert_eq!(
            r07["fixes"],
            json!([{"description": {"text": "Set `use_limited_hybrid = True`"},
                    "artifactChanges": [{
                        "artifactLocation": {"uri": "defs.bzl", "uriBaseId": "%SRCROOT%"},
                        "replacements": [{
                            "deletedRegion": {"startLine": 3, "startColumn": 26, "endLine": 3, "endColumn": 31},
                            "insertedContent": {"text": "True"}}]}]}])
        );

        let r01 = &results[1];
        assert_eq!(r01["level"], "error");
        assert_eq!(
            r01["locations"][0]["physicalLocation"]["region"],
            json!({"startLine": 2, "startColumn": 21, "endLine": 2, "endColumn": 31})
        );
        assert_eq!(r01["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "third_party/BUCK");
        assert_eq!(
            r01["relatedLocations"],
            json!([
                {"id": 1, "physicalLocation": {
                    "artifactLocation": {"uri": "defs.bzl", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 2, "startColumn": 8, "endLine": 2, "endColumn": 29}},
                 "message": {"text": "remote executor defined here"}},
                {"id": 2, "physicalLocation": {
                    "artifactLocation": {"uri": "third_party/BUCK", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 2, "startColumn": 40, "endLine": 2, "endColumn": 49}},
                 "message": {"text": "OUT_DIR set here"}}
            ])
        );
        assert!(r01.get("fixes").is_none());
    }

    #[test]
    fn fixes_are_grouped_per_file() {
        use crate::diagnostic::{Applicability, Edit};
        let fx = fixture();
        let edit =
            |file, text, needle, content: &str| Edit { span: span_of(file, text, needle), content: content.into() };
        let d = Diagnostic::new(
            crate::rules::Rule::FixupLegacyPlatformFixup,
            Severity::Error,
            span_of(fx.defs, DEFS, "x"),
            "m",
        )
        .with_fix(crate::diagnostic::Fix {
            applicability: Applicability::Safe,
            description: "Rewrite".into(),
            edits: vec![
                edit(fx.defs, DEFS, "x = 1", "y = 2"),
                edit(fx.buck, BUCK, "# é€", ""),
                edit(fx.defs, DEFS, "False", "True"),
            ],
        });
        let v = render(&[d], &fx);
        let changes = v["runs"][0]["results"][0]["fixes"][0]["artifactChanges"].as_array().unwrap().clone();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0]["artifactLocation"]["uri"], "defs.bzl");
        assert_eq!(changes[0]["replacements"].as_array().unwrap().len(), 2);
        assert_eq!(changes[1]["artifactLocation"]["uri"], "third_party/BUCK");
        assert_eq!(
            changes[1]["replacements"][0]["deletedRegion"],
            json!({"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 5})
        );
    }

    #[test]
    fn uris() {
        assert_eq!(percent_encode_path("a b/c%d/é:x"), "a%20b/c%25d/%C3%A9%3Ax");
        assert_eq!(artifact_location("dir with space/BUCK").uri, "dir%20with%20space/BUCK");
        assert_eq!(artifact_location("./BUCK").uri, "BUCK");
        let abs = artifact_location("/elsewhere/BUCK");
        assert_eq!((abs.uri.as_str(), abs.uri_base_id), ("file:///elsewhere/BUCK", None));
        assert_eq!(dir_file_uri("/"), "file:///");
        assert_eq!(dir_file_uri("/work/main"), "file:///work/main/");
        assert_eq!(dir_file_uri(r"C:\work\x y"), "file:///C:/work/x%20y/");
    }

    #[test]
    fn write_outputs_valid_json() {
        let fx = fixture();
        let mut out = Vec::new();
        write(&mut out, &diagnostics(&fx), &fx.files, &ReportOptions::default()).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        let base = v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
        assert!(base.starts_with("file:///") && base.ends_with('/'));
    }
}
