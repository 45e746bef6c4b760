//! Machine-readable output checked from the outside:
//! - `--format sarif` validates against the official OASIS SARIF 2.1.0 schema
//!   (`testdata/schemas/sarif-schema-2.1.0.json`, draft-04, formats checked too);
//! - `--format github` escapes `%`, CR, LF, `:` and `,` the way the Actions runner decodes them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_buck-lint")
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("BUCK_LINT_NO_CACHE", "1")
        .env("CARGO_HOME", env!("CARGO_MANIFEST_DIR").to_string() + "/testdata/cargo-home")
        .env_remove("CI")
        .env("NO_COLOR", "1")
        .output()
        .expect("run buck-lint")
}

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(manifest_dir().join("testdata/schemas/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(out: &Output) -> Value {
    let stdout = String::from_utf8(out.stdout.clone()).expect("utf-8 output");
    assert_ne!(out.status.code(), Some(2), "buck-lint failed: {}", String::from_utf8_lossy(&out.stderr));
    let log: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"));
    let v = validator();
    let errors: Vec<String> = v.iter_errors(&log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF schema violations:\n{}", errors.join("\n"));
    log
}

#[test]
fn the_schema_rejects_broken_logs() {
    // guards against a validator that accepts anything
    let v = validator();
    assert!(!v.is_valid(&serde_json::json!({ "version": "2.1.0" })));
    assert!(!v.is_valid(&serde_json::json!({ "version": "2.0.0", "runs": [] })));
    assert!(!v.is_valid(&serde_json::json!({
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "x" } }, "results": [{ "ruleId": "r" }] }]
    })));
    // formats are checked: `$schema` must be a URI
    assert!(!v.is_valid(&serde_json::json!({ "$schema": "not a uri", "version": "2.1.0", "runs": [] })));
    assert!(v.is_valid(&serde_json::json!({
        "version": "2.1.0",
        "runs": [{ "tool": { "driver": { "name": "x" } }, "results": [{ "message": { "text": "m" } }] }]
    })));
}

#[test]
fn sarif_for_pyo3_remote_is_schema_valid() {
    let dir = manifest_dir().join("testdata/pyo3-remote");
    let out = run_in(&dir, &["check", "--format", "sarif", "."]);
    let log = assert_valid_sarif(&out);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "buck-lint");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty(), "pyo3-remote has findings");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(loc["uriBaseId"], "%SRCROOT%", "relative uri expected: {loc}");
        assert!(!loc["uri"].as_str().unwrap().starts_with('/'));
    }
    // the exit code is the same as for the other formats
    let concise = run_in(&dir, &["check", "--format", "concise", "."]);
    assert_eq!(out.status.code(), concise.status.code());
}

/// A tree whose one package directory has every character GitHub needs escaped in its name,
/// and findings with fixes, related locations and `%`, `:` and `,` in their messages.
fn odd_tree() -> (tempfile::TempDir, PathBuf, &'static str) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join(".buckconfig"), "[cells]\n  root = .\n  prelude = prelude\n").unwrap();
    let pkg = "d,1:2%3\r\n4";
    std::fs::create_dir_all(root.join(pkg)).unwrap();
    std::fs::write(
        root.join(pkg).join("BUCK"),
        r#"rust_library(
    name = "m%,1.0",
    proc_macro = True,
    srcs = ["src/lib.rs"],
    crate = "m",
)

rust_library(name = "u", srcs = [], deps = [":_m%,1.0"])

http_archive(
    name = "foo-1.0.0.crate",
    urls = ["https://crates.io/api/v1/crates/foo/1.0.0/download"],
    sha256 = "0000000000000000000000000000000000000000000000000000000000000000",
    strip_prefix = "foo-1.0.0",
    type = "tar.gz",
)
"#,
    )
    .unwrap();
    (dir, root, pkg)
}

#[cfg(unix)]
#[test]
fn sarif_with_fixes_related_locations_and_odd_paths_is_schema_valid() {
    let (_d, root, _pkg) = odd_tree();
    let out = run_in(&root, &["check", "--format", "sarif", "."]);
    let log = assert_valid_sarif(&out);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let r16 = results.iter().find(|r| r["ruleId"] == "proc-macro-inner-target-dep").expect("R16 finding");
    assert!(r16["relatedLocations"].as_array().is_some_and(|a| !a.is_empty()), "{r16}");
    assert!(r16["fixes"].as_array().is_some_and(|a| !a.is_empty()), "{r16}");
    let uri = r16["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
    assert!(!uri.contains(['\r', '\n']), "{uri:?}");
}

/// Decode a workflow-command value the way the runner does.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i..i + 3).unwrap_or("");
        let decoded = match code {
            "%25" => '%',
            "%0D" => '\r',
            "%0A" => '\n',
            "%3A" => ':',
            "%2C" => ',',
            _ => panic!("stray or unknown escape at {:?} in {s:?}", &rest[i..]),
        };
        out.push(decoded);
        rest = &rest[i + 3..];
    }
    out.push_str(rest);
    out
}

struct Annotation {
    command: String,
    props: Vec<(String, String)>,
    data: String,
}

fn parse_annotation(line: &str) -> Annotation {
    let body = line.strip_prefix("::").unwrap_or_else(|| panic!("not a workflow command: {line:?}"));
    let (head, data) = body.split_once("::").unwrap_or_else(|| panic!("no `::` before the data: {line:?}"));
    let (command, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or_else(|| panic!("bad property {kv:?} in {line:?}"));
            (k.to_string(), unescape(v))
        })
        .collect();
    Annotation { command: command.to_string(), props, data: unescape(data) }
}

#[cfg(unix)]
#[test]
fn github_annotations_escape_what_the_runner_decodes() {
    let (_d, root, pkg) = odd_tree();
    let gh = run_in(&root, &["check", "--format", "github", "."]);
    let json = run_in(&root, &["check", "--format", "json", "."]);
    assert_eq!(gh.status.code(), json.status.code());
    let text = String::from_utf8(gh.stdout).unwrap();
    let findings: Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = findings
        .get("diagnostics")
        .or_else(|| findings.get("findings"))
        .and_then(Value::as_array)
        .cloned()
        .expect("json findings");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), findings.len(), "one physical line per finding:\n{text}");
    let expected_file = format!("{pkg}/BUCK");
    let mut saw_r16 = false;
    for (line, f) in lines.iter().zip(&findings) {
        assert!(!line.contains('\r'), "raw CR in {line:?}");
        let a = parse_annotation(line);
        let sev = f["severity"].as_str().unwrap();
        let want = match sev {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        assert_eq!(a.command, want);
        let prop = |k: &str| a.props.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        assert_eq!(prop("file").as_deref(), Some(expected_file.as_str()), "{line}");
        assert_eq!(prop("title"), Some(format!("buck-lint ({})", f["rule"].as_str().unwrap())));
        for k in ["line", "col", "endLine", "endColumn"] {
            assert!(prop(k).is_some_and(|v| v.parse::<u32>().is_ok()), "{k} in {line}");
        }
        let mut message = f["message"].as_str().unwrap().to_string();
        if let Some(h) = f["help"].as_str().filter(|h| !h.is_empty()) {
            message.push('\n');
            message.push_str(h);
        }
        assert_eq!(a.data, message);
        if f["rule"] == "proc-macro-inner-target-dep" {
            saw_r16 = true;
            // `%` is escaped in the data, `:` and `,` are not
            let raw_data = line.splitn(3, "::").nth(2).unwrap();
            assert!(raw_data.contains(":_m%25,1.0"), "{raw_data}");
            assert!(raw_data.contains("%0A"), "help after an escaped LF: {raw_data}");
            // the raw file property has no bare separator characters
            assert!(line.contains("file=d%2C1%3A2%253%0D%0A4/BUCK,"), "{line}");
        }
    }
    assert!(saw_r16, "{text}");
}

/// Code scanning: every result has a `partialFingerprints` entry that survives unrelated edits
/// (lines inserted above it), and the run records its invocation (exit code, times).
#[test]
fn sarif_fingerprints_are_stable_across_line_shifts_and_invocation_is_recorded() {
    let d = tempfile::tempdir().unwrap();
    let buck = "http_archive(\n    name = \"foo-1.0.0.crate\",\n    urls = [\"https://static.crates.io/crates/foo/1.0.0/download\"],\n)\n";
    std::fs::write(d.path().join(".buckconfig"), "[cells]\n  root = .\n").unwrap();
    std::fs::write(d.path().join("BUCK"), buck).unwrap();
    let fingerprints = |dir: &Path| -> (Vec<String>, Value) {
        let out = run_in(dir, &["check", "--format", "sarif", "--isolated"]);
        let log = assert_valid_sarif(&out);
        let fps = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"]["buckLintFinding/v1"].as_str().unwrap().to_string())
            .collect();
        (fps, log)
    };
    let (before, log) = fingerprints(d.path());
    assert!(!before.is_empty());
    let inv = &log["runs"][0]["invocations"][0];
    assert_eq!(inv["exitCode"], 1);
    assert_eq!(inv["executionSuccessful"], true);
    for k in ["startTimeUtc", "endTimeUtc"] {
        let t = inv[k].as_str().unwrap();
        assert!(t.len() == 24 && t.ends_with('Z') && t.as_bytes()[10] == b'T', "{k}: {t}");
    }
    std::fs::write(d.path().join("BUCK"), format!("# a comment\n\n# and another\n{buck}")).unwrap();
    let (after, log) = fingerprints(d.path());
    assert_eq!(before, after, "unrelated edits above the finding must not change its fingerprint");
    assert_eq!(log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"], 5);
}

/// `--output-file` writes any format to a file; the summary still goes to stderr.
#[test]
fn output_file_takes_the_findings() {
    let dir = manifest_dir();
    let out_path = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    for format in ["sarif", "concise", "json"] {
        let out = run_in(
            dir,
            &["check", "testdata/pyo3-remote", "--format", format, "--output-file", out_path.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty(), "{format}: stdout must stay empty");
        let written = std::fs::read_to_string(&out_path).unwrap();
        assert!(written.contains("pipelined-nondeterministic-crate"), "{format}: {written}");
    }
}

/// The problem matcher for `--format concise`: errors and warnings keep their severity, `info`
/// (which the Actions runner does not know) becomes a `notice`.
#[test]
fn matcher_maps_info_to_notice() {
    let out = run_in(manifest_dir(), &["matcher"]);
    let m: Value = serde_json::from_slice(&out.stdout).unwrap();
    let matchers = m["problemMatcher"].as_array().unwrap();
    let find = |line: &str| -> Option<(String, String)> {
        matchers.iter().find_map(|mm| {
            let p = &mm["pattern"][0];
            let re = regex::Regex::new(p["regexp"].as_str().unwrap()).unwrap();
            let c = re.captures(line)?;
            let sev = match p.get("severity").and_then(|s| s.as_u64()) {
                Some(i) => c[i as usize].to_string(),
                None => mm["severity"].as_str().unwrap().to_string(),
            };
            Some((sev, c[p["code"].as_u64().unwrap() as usize].to_string()))
        })
    };
    assert_eq!(find("a/BUCK:1:2: error[x-y]: m"), Some(("error".into(), "x-y".into())));
    assert_eq!(find("a/BUCK:1:2: warning[x-y]: m"), Some(("warning".into(), "x-y".into())));
    assert_eq!(find("a/BUCK:1:2: info[x-y]: m"), Some(("notice".into(), "x-y".into())));
}
