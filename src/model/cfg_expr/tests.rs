use super::*;
use std::collections::{HashMap, HashSet};

fn key(s: &str) -> CfgNode {
    parse_section_key(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}")).unwrap_or_else(|| panic!("{s:?} is not a cfg key"))
}

fn pred(s: &str) -> CfgNode {
    parse_predicate(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
}

fn key_err(s: &str) -> CfgParseError {
    match parse_section_key(s) {
        Err(e) => e,
        Ok(n) => panic!("{s:?} parsed: {n:?}"),
    }
}

fn pred_err(s: &str) -> CfgParseError {
    match parse_predicate(s) {
        Err(e) => e,
        Ok(n) => panic!("{s:?} parsed: {n:?}"),
    }
}

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

/// Span substring helper.
fn at<'a>(s: &'a str, span: &Range<usize>) -> &'a str {
    &s[span.clone()]
}

// ---- grammar ------------------------------------------------------------------------------

#[test]
fn not_a_cfg_key() {
    assert_eq!(parse_section_key("visibility"), Ok(None));
    assert_eq!(parse_section_key("linux"), Ok(None));
    assert_eq!(parse_section_key("x86_64-unknown-linux-gnu"), Ok(None));
    assert_eq!(parse_section_key(" cfg(unix)"), Ok(None));
    assert_eq!(parse_section_key("cfg (unix)"), Ok(None));
    assert_eq!(parse_section_key("cfgs"), Ok(None));
    assert_eq!(parse_section_key(""), Ok(None));
}

#[test]
fn unix_windows() {
    let s = "cfg(unix)";
    let n = key(s);
    assert_eq!(n.expr, CfgExpr::Unix);
    assert_eq!(at(s, &n.span), "unix");
    assert_eq!(key("cfg(windows)").expr, CfgExpr::Windows);
    // Keyword prefixes are ordinary atoms.
    let n = key("cfg(any(windows_raw_dylib, windows-xp, unix-like))");
    let CfgExpr::Any(items) = &n.expr else { panic!() };
    let keys: Vec<_> = items.iter().map(|i| i.expr.key().unwrap()).collect();
    assert_eq!(keys, ["windows_raw_dylib", "windows-xp", "unix-like"]);
}

#[test]
fn key_value_spans() {
    let s = r#"cfg(target_os = "linux")"#;
    let n = key(s);
    let CfgExpr::KeyValue { key: k, value, key_span, value_span } = &n.expr else { panic!("{n:?}") };
    assert_eq!(k, "target_os");
    assert_eq!(value, "linux");
    assert_eq!(at(s, key_span), "target_os");
    assert_eq!(at(s, value_span), "\"linux\"");
    assert_eq!(at(s, &n.span), r#"target_os = "linux""#);
    // No whitespace, empty string.
    let n = key(r#"cfg(target_env="")"#);
    assert!(matches!(&n.expr, CfgExpr::KeyValue { value, .. } if value.is_empty()));
}

#[test]
fn bare_key() {
    let s = "cfg(  foobar  )";
    let n = key(s);
    assert_eq!(n.expr, CfgExpr::Key { key: "foobar".into(), span: 6..12 });
    assert_eq!(n.span, 6..12);
    // Bare `version` (no `=`) is an ordinary key, as in Reindeer.
    assert!(matches!(key("cfg(version)").expr, CfgExpr::Key { ref key, .. } if key == "version"));
    // Hyphenated atoms, unicode identifiers.
    assert!(
        matches!(pred("x86_64-unknown-linux-gnu").expr, CfgExpr::Key { ref key, .. } if key == "x86_64-unknown-linux-gnu")
    );
    assert!(matches!(pred("_ünï").expr, CfgExpr::Key { ref key, .. } if key == "_ünï"));
}

#[test]
fn version_atom() {
    let s = r#"cfg(version = ">=6.0, <8.0")"#;
    let n = key(s);
    let CfgExpr::Version { req, raw, value_span } = &n.expr else { panic!() };
    assert_eq!(raw, ">=6.0, <8.0");
    assert_eq!(req, &VersionReq::parse(">=6.0, <8.0").unwrap());
    assert_eq!(at(s, value_span), "\">=6.0, <8.0\"");
    assert_eq!(at(s, &n.span), r#"version = ">=6.0, <8.0""#);
}

#[test]
fn operators() {
    let s = r#"cfg(all(not(target_os = "macos"), not(windows), any()))"#;
    let n = key(s);
    assert_eq!(at(s, &n.span), &s[4..s.len() - 1]);
    let CfgExpr::All(items) = &n.expr else { panic!() };
    assert_eq!(items.len(), 3);
    assert_eq!(at(s, &items[0].span), r#"not(target_os = "macos")"#);
    assert_eq!(at(s, &items[1].span), "not(windows)");
    assert_eq!(items[2].expr, CfgExpr::Any(vec![]));
    assert_eq!(at(s, &items[2].span), "any()");
    assert_eq!(key("cfg(all())").expr, CfgExpr::All(vec![]));
    assert_eq!(key("cfg(all( ))").expr, CfgExpr::All(vec![]));
    // Whitespace everywhere between tokens (ASCII whitespace, including newlines).
    let n = key("cfg( all \t(\n unix ,\r\n windows ) )");
    assert!(matches!(&n.expr, CfgExpr::All(v) if v.len() == 2));
}

#[test]
fn string_escapes() {
    let s = r#"cfg(k = "a\"b\\c\nd e")"#;
    let n = key(s);
    let CfgExpr::KeyValue { value, .. } = &n.expr else { panic!() };
    assert_eq!(value, r#"a\"b\\c\nd e"#);
    assert_eq!(n.to_string(), r#"k = "a\"b\\c\nd e""#);
}

#[test]
fn duplicate_key_idiom() {
    let a = key(r#"cfg(all(target_os = "linux"))"#);
    let b = key(r#"cfg(any(all(target_os = "linux")))"#);
    assert_ne!(a.section_key(), b.section_key());
    let linux = TestPlatform::new(&[("target_os", "linux"), ("target_family", "unix")]);
    let mac = TestPlatform::new(&[("target_os", "macos"), ("target_family", "unix")]);
    for p in [&linux, &mac] {
        assert_eq!(a.eval(p, None), b.eval(p, None));
    }
    assert_eq!(b.eval(&linux, None), Tri::True);
    assert_eq!(b.eval(&mac, None), Tri::False);
}

// ---- errors -------------------------------------------------------------------------------

fn check_err(s: &str, message: &str, span_text: &str) {
    let e = key_err(s);
    assert!(e.message.starts_with(message), "{s:?}: message {:?}, expected {message:?}", e.message);
    assert_eq!(at(s, &e.span), span_text, "{s:?}: span {:?}", e.span);
}

#[test]
fn error_unquoted_value() {
    let s = "cfg(target_os = linux)";
    let e = key_err(s);
    assert_eq!(e.message, "expected a double-quoted string");
    assert_eq!(e.span, 16..21);
    assert_eq!(at(s, &e.span), "linux");
    check_err("cfg(target_os = 'linux')", "expected a double-quoted string", "'linux'");
    check_err("cfg(version = 1.0)", "expected a double-quoted string", "1.0");
    check_err("cfg(target_os = )", "expected a double-quoted string", ")");
}

#[test]
fn error_unbalanced() {
    let s = "cfg(all(unix)";
    let e = key_err(s);
    assert_eq!(e.message, "unbalanced parentheses");
    assert_eq!(e.span, 13..13);
    let e = key_err("cfg(unix");
    assert_eq!((e.message.as_str(), e.span), ("unbalanced parentheses", 8..8));
    let e = key_err("cfg(all(unix, windows");
    assert_eq!((e.message.as_str(), e.span), ("unbalanced parentheses", 21..21));
    let e = key_err("cfg(not(unix)");
    assert_eq!((e.message.as_str(), e.span), ("unbalanced parentheses", 13..13));
    let e = key_err("cfg(");
    assert_eq!((e.message.as_str(), e.span), ("incomplete input", 4..4));
    let e = key_err("cfg(all(");
    assert_eq!((e.message.as_str(), e.span), ("incomplete input", 8..8));
    let e = key_err("cfg(all");
    assert_eq!((e.message.as_str(), e.span), ("incomplete input", 7..7));
    let e = key_err("cfg(target_os =");
    assert_eq!((e.message.as_str(), e.span), ("incomplete input", 15..15));
    let e = key_err("cfg(all(unix, ");
    assert_eq!((e.message.as_str(), e.span), ("incomplete input", 14..14));
    // An extra closing parenthesis.
    let s = "cfg(all(unix)))";
    let e = key_err(s);
    assert_eq!((e.message.as_str(), e.span), ("unbalanced parentheses", 14..15));
    let e = pred_err("unix )");
    assert_eq!((e.message.as_str(), e.span), ("unbalanced parentheses", 5..6));
}

#[test]
fn error_trailing_comma() {
    let s = "cfg(all(unix, windows,))";
    let e = key_err(s);
    assert_eq!(e.message, "trailing comma");
    assert_eq!(e.span, 21..22);
    let e = key_err("cfg(any(unix , ) )");
    assert_eq!((e.message.as_str(), e.span), ("trailing comma", 13..14));
    check_err("cfg(all(,))", "expected a predicate", ",");
    check_err("cfg(all(unix,,windows))", "expected a predicate", ",");
}

#[test]
fn error_trailing_junk() {
    let s = "cfg(unix) foo";
    let e = key_err(s);
    assert_eq!(e.message, "trailing junk");
    assert_eq!(at(s, &e.span), "foo");
    // As in Reindeer, even whitespace after the closing parenthesis is junk.
    let s = "cfg(unix) ";
    let e = key_err(s);
    assert_eq!((e.message.as_str(), e.span), ("trailing junk", 9..10));
    let s = "cfg(unix)x";
    assert_eq!(key_err(s).span, 9..10);
    // parse_predicate allows surrounding whitespace, but nothing else.
    assert!(parse_predicate("  unix \n").is_ok());
    let s = "unix windows";
    let e = pred_err(s);
    assert_eq!((e.message.as_str(), at(s, &e.span)), ("trailing junk", "windows"));
    let s = r#"target_os = "linux" extra"#;
    assert_eq!(at(s, &pred_err(s).span), "extra");
}

#[test]
fn error_strings() {
    let s = "cfg(target_os = \"lïnux\")";
    let e = key_err(s);
    assert_eq!(e.message, "non-ASCII character in string");
    assert_eq!(at(s, &e.span), "ï");
    assert_eq!(e.span, 18..20);
    check_err("cfg(k = \"a\\é\")", "non-ASCII character in string", "é");
    check_err("cfg(k = \"a\\tb\")", "invalid escape in string", "\\t");
    check_err("cfg(k = \"a\tb\")", "invalid character in string", "\t");
    check_err("cfg(k = \"ab)", "unterminated string", "\"ab)");
    check_err("cfg(k = \"ab\\", "unterminated string", "\"ab\\");
}

#[test]
fn error_version() {
    let s = r#"cfg(version = "not a version")"#;
    let e = key_err(s);
    let semver_msg = VersionReq::parse("not a version").unwrap_err().to_string();
    assert_eq!(e.message, format!("invalid version requirement `not a version`: {semver_msg}"));
    assert_eq!(at(s, &e.span), "\"not a version\"");
    check_err(r#"cfg(all(unix, version = ">=1.0,"))"#, "invalid version requirement", "\">=1.0,\"");
    check_err(r#"cfg(version = "")"#, "invalid version requirement", "\"\"");
}

#[test]
fn error_operator_shapes() {
    check_err("cfg(not())", "`not` takes exactly one predicate", ")");
    check_err("cfg(not(unix, windows))", "`not` takes exactly one predicate", ",");
    check_err("cfg(not(unix windows))", "expected `)`", "windows");
    check_err("cfg(all = \"x\")", "expected `(` after `all`", "=");
    check_err("cfg(any unix)", "expected `(` after `any`", "unix");
    check_err("cfg(all(unix windows))", "expected `,` or `)`", "windows");
    check_err("cfg(nott(unix))", "unknown operator `nott`", "nott");
    check_err("cfg(cfg(unix))", "unknown operator `cfg`", "cfg");
    check_err("cfg(unix = \"x\")", "`unix` takes no value", "=");
    check_err("cfg(windows=\"x\")", "`windows` takes no value", "=");
    check_err("cfg(unix, windows)", "`cfg()` takes exactly one predicate", ",");
    check_err("cfg(unix windows)", "expected `)`", "windows");
    check_err("cfg())", "expected a predicate", ")");
    check_err("cfg(123)", "expected a predicate", "123");
    check_err("cfg(\"linux\")", "expected a predicate", "\"linux\"");
    check_err("cfg(-unix)", "expected a predicate", "-unix");
    check_err("cfg(a-)", "expected `)`", "-");
    check_err("cfg(a = \"x\" = \"y\")", "expected `)`", "=");
    check_err("cfg(\u{a0}unix)", "expected a predicate", "\u{a0}unix");
    let e = pred_err("");
    assert_eq!((e.message.as_str(), e.span), ("incomplete input", 0..0));
    let e = pred_err("   ");
    assert_eq!((e.message.as_str(), e.span), ("incomplete input", 3..3));
}

#[test]
fn nesting_limit() {
    let nested = |n: usize| format!("{}unix{}", "not(".repeat(n), ")".repeat(n));
    assert!(parse_predicate(&nested(MAX_NESTING)).is_ok());
    let s = nested(MAX_NESTING + 1);
    let e = pred_err(&s);
    assert_eq!(e.message, "nesting too deep");
    assert_eq!(e.span, 4 * MAX_NESTING..4 * MAX_NESTING + 3);
    // Far deeper than the stack could take, in the section-key form too.
    let s = format!("cfg({}", "all(any(".repeat(100_000));
    let e = key_err(&s);
    assert_eq!(e.message, "nesting too deep");
    let s = format!("cfg({}", "all(".repeat(1_000_000));
    assert_eq!(key_err(&s).message, "nesting too deep");
    // Long flat lists are fine.
    let s = format!("cfg(any({}unix))", "unix, ".repeat(100_000));
    assert!(matches!(key(&s).expr, CfgExpr::Any(v) if v.len() == 100_001));
}

// ---- rendering ----------------------------------------------------------------------------

#[test]
fn to_string_canonical() {
    let cases = [
        ("cfg(unix)", "unix"),
        ("cfg(  all( )  )", "all()"),
        ("cfg(any())", "any()"),
        (r#"cfg(all(target_os="linux",version=">=1"))"#, r#"all(target_os = "linux", version = ">=1")"#),
        ("cfg(not ( any ( windows , foo-bar , k = \"v\" ) ))", r#"not(any(windows, foo-bar, k = "v"))"#),
        (r#"cfg(any(all(target_os = "linux")))"#, r#"any(all(target_os = "linux"))"#),
    ];
    for (input, canon) in cases {
        let n = key(input);
        assert_eq!(n.to_string(), canon, "{input:?}");
        assert_eq!(n.section_key(), format!("cfg({canon})"));
        // Canonical form is a fixed point.
        let again = key(&n.section_key());
        assert_eq!(again.section_key(), n.section_key());
        assert!(again.same_shape(&n));
        assert_eq!(pred(canon).to_string(), canon);
    }
}

// ---- evaluation ---------------------------------------------------------------------------

struct TestPlatform(HashMap<String, HashSet<String>>);

impl TestPlatform {
    fn new(pairs: &[(&str, &str)]) -> Self {
        let mut m: HashMap<String, HashSet<String>> = HashMap::new();
        for (k, val) in pairs {
            let set = m.entry((*k).to_owned()).or_default();
            if !val.is_empty() {
                set.insert((*val).to_owned());
            }
        }
        TestPlatform(m)
    }
}

impl PlatformCfg for TestPlatform {
    fn has_key(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }
    fn has_value(&self, key: &str, value: &str) -> bool {
        self.0.get(key).is_some_and(|s| s.contains(value))
    }
}

fn linux() -> TestPlatform {
    TestPlatform::new(&[
        ("target_os", "linux"),
        ("target_arch", "x86_64"),
        ("target_family", "unix"),
        ("target_env", "gnu"),
        ("panic", "unwind"),
        ("debug_assertions", ""),
    ])
}

fn windows() -> TestPlatform {
    TestPlatform::new(&[
        ("target_os", "windows"),
        ("target_arch", "x86_64"),
        ("target_family", "windows"),
        ("target_env", "msvc"),
    ])
}

#[test]
fn eval_table() {
    let (l, w) = (linux(), windows());
    let table: &[(&str, Tri, Tri)] = &[
        ("all()", Tri::True, Tri::True),
        ("any()", Tri::False, Tri::False),
        ("not(all())", Tri::False, Tri::False),
        ("not(any())", Tri::True, Tri::True),
        ("unix", Tri::True, Tri::False),
        ("windows", Tri::False, Tri::True),
        ("not(unix)", Tri::False, Tri::True),
        (r#"target_os = "linux""#, Tri::True, Tri::False),
        (r#"target_os = "freebsd""#, Tri::False, Tri::False),
        (r#"all(unix, target_arch = "x86_64")"#, Tri::True, Tri::False),
        (r#"any(windows, target_env = "gnu")"#, Tri::True, Tri::True),
        (r#"feature = "simd""#, Tri::False, Tri::False),
        (r#"not(feature = "simd")"#, Tri::True, Tri::True),
        ("debug_assertions", Tri::True, Tri::False),
        ("target_os", Tri::True, Tri::True),
        ("no_such_key", Tri::False, Tri::False),
        (r#"version = ">=1""#, Tri::Unknown, Tri::Unknown),
        (r#"all(windows, version = ">=1")"#, Tri::False, Tri::Unknown),
        (r#"any(unix, version = ">=1")"#, Tri::True, Tri::Unknown),
    ];
    for (s, on_linux, on_windows) in table {
        let n = pred(s);
        assert_eq!(n.eval(&l, None), *on_linux, "{s} on linux");
        assert_eq!(n.eval(&w, None), *on_windows, "{s} on windows");
    }
    // `unix` also holds via the bare `unix` key that rustc prints.
    let bare = TestPlatform::new(&[("unix", "")]);
    assert_eq!(pred("unix").eval(&bare, None), Tri::True);
    // With a version, version atoms are decided.
    let n = pred(r#"all(windows, version = "^0.48")"#);
    assert_eq!(n.eval(&w, Some(&v("0.48.5"))), Tri::True);
    assert_eq!(n.eval(&w, Some(&v("0.52.6"))), Tri::False);
    assert_eq!(n.eval(&l, Some(&v("0.48.5"))), Tri::False);
}

#[test]
fn tri_logic() {
    use Tri::*;
    let all = [True, False, Unknown];
    for a in all {
        for b in all {
            let and = a.and(b);
            let or = a.or(b);
            // De Morgan.
            assert_eq!(and.not(), a.not().or(b.not()));
            assert_eq!(or.not(), a.not().and(b.not()));
            assert_eq!(!and, and.not());
        }
    }
    assert_eq!(True.and(Unknown), Unknown);
    assert_eq!(False.and(Unknown), False);
    assert_eq!(True.or(Unknown), True);
    assert_eq!(False.or(Unknown), Unknown);
    assert_eq!(Unknown.not(), Unknown);
    assert_eq!(Tri::all([]), True);
    assert_eq!(Tri::any([]), False);
    assert_eq!(Tri::from(true), True);
    assert!(Unknown.is_unknown() && True.is_true() && False.is_false());
}

#[test]
fn three_valued_version() {
    let n = key(r#"cfg(all(target_os = "windows", version = "=0.48.0"))"#);
    assert_eq!(n.eval_version(&v("0.48.5")), Tri::False);
    assert_eq!(n.eval_version(&v("0.52.6")), Tri::False);
    assert_eq!(n.eval_version(&v("0.48.0")), Tri::Unknown);

    let n = key(r#"cfg(version = "^0.48")"#);
    assert_eq!(n.eval_version(&v("0.48.5")), Tri::True);
    assert_eq!(n.eval_version(&v("0.52.6")), Tri::False);

    // Bare version means caret.
    let n = key(r#"cfg(version = "0.48.0")"#);
    assert_eq!(n.eval_version(&v("0.48.5")), Tri::True);
    assert_eq!(n.eval_version(&v("0.49.0")), Tri::False);

    let n = key(r#"cfg(any(unix, version = "<0.29"))"#);
    assert_eq!(n.eval_version(&v("0.28.1")), Tri::True);
    assert_eq!(n.eval_version(&v("0.29.0")), Tri::Unknown);

    let n = key(r#"cfg(not(version = ">=0.18"))"#);
    assert_eq!(n.eval_version(&v("0.17.5")), Tri::True);
    assert_eq!(n.eval_version(&v("0.18.0")), Tri::False);

    let n = key(r#"cfg(not(unix))"#);
    assert_eq!(n.eval_version(&v("1.0.0")), Tri::Unknown);
    assert_eq!(key("cfg(all())").eval_version(&v("1.0.0")), Tri::True);
    assert_eq!(key("cfg(any())").eval_version(&v("1.0.0")), Tri::False);
}

#[test]
fn version_only_and_atoms() {
    assert!(key(r#"cfg(version = ">=2")"#).uses_only_version());
    assert!(key(r#"cfg(all(version = ">=2", not(version = ">=3")))"#).uses_only_version());
    assert!(key("cfg(all())").uses_only_version());
    assert!(key("cfg(any(all(), not(any())))").uses_only_version());
    assert!(!key("cfg(all())").has_version());
    assert!(!key(r#"cfg(all(unix, version = ">=2"))"#).uses_only_version());
    assert!(key(r#"cfg(all(unix, version = ">=2"))"#).has_version());
    assert!(!key(r#"cfg(target_os = "linux")"#).uses_only_version());
    assert!(!key("cfg(version)").uses_only_version());

    let s = r#"cfg(all(not(target_os = "macos"), any(unix, feature = "x", foo), version = "=1"))"#;
    let n = key(s);
    let atoms: Vec<&str> = n.atoms().iter().map(|a| at(s, &a.span)).collect();
    assert_eq!(atoms, [r#"target_os = "macos""#, "unix", r#"feature = "x""#, "foo", r#"version = "=1""#]);
    assert!(n.atoms()[2].expr.is_feature());
    assert_eq!(n.version_reqs(), [&VersionReq::parse("=1").unwrap()]);
    assert_eq!(key("cfg(unix)").atoms().len(), 1);
    assert!(key("cfg(all())").atoms().is_empty());
}

// ---- robustness ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn check_no_panic(input: &str) {
    let results = [parse_section_key(input), parse_predicate(input).map(Some)];
    for r in results {
        match r {
            Ok(Some(n)) => {
                assert!(n.span.start <= n.span.end && n.span.end <= input.len());
                for a in n.atoms() {
                    assert!(input.get(a.span.clone()).is_some(), "{input:?} {a:?}");
                }
                let canon = n.to_string();
                let again = parse_predicate(&canon).unwrap_or_else(|e| panic!("{input:?} -> {canon:?}: {e:?}"));
                assert!(again.same_shape(&n), "{input:?} -> {canon:?}");
                assert_eq!(again.to_string(), canon);
                let _ = n.eval_version(&Version::new(1, 2, 3));
                let _ = n.eval(&linux(), None);
            }
            Ok(None) => {}
            Err(e) => {
                assert!(input.get(e.span.clone()).is_some(), "{input:?}: bad span {:?} ({})", e.span, e.message);
                assert!(!e.message.is_empty());
            }
        }
    }
}

#[test]
fn no_panic_on_mutations() {
    let seeds = [
        r#"cfg(all(target_os = "linux", version = ">=1"))"#,
        r#"cfg(any(all(not(windows), unix), feature = "a\"b\\c\n", x86_64-unknown-linux-gnu))"#,
        r#"cfg(not(version = "=0.48.0, <2"))"#,
        "cfg(all())",
        "cfg(any(unix,windows))",
    ];
    let alphabet: Vec<char> = "()\",=\\ -_aznu0\t\né日\u{a0}\u{1F600}x>=^~*.".chars().collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut count = 0;
    for seed in seeds {
        // Every prefix and suffix.
        for (i, _) in seed.char_indices() {
            check_no_panic(&seed[..i]);
            check_no_panic(&seed[i..]);
        }
        for _ in 0..3000 {
            let mut chars: Vec<char> = seed.chars().collect();
            let edits = 1 + rng.below(4);
            for _ in 0..edits {
                let pos = rng.below(chars.len() + 1);
                match rng.below(4) {
                    0 if pos < chars.len() => {
                        chars.remove(pos);
                    }
                    1 if pos < chars.len() => {
                        chars[pos] = alphabet[rng.below(alphabet.len())];
                    }
                    2 if pos < chars.len() => {
                        let end = (pos + 1 + rng.below(6)).min(chars.len());
                        let dup: Vec<char> = chars[pos..end].to_vec();
                        chars.splice(pos..pos, dup);
                    }
                    _ => chars.insert(pos, alphabet[rng.below(alphabet.len())]),
                }
            }
            let s: String = chars.into_iter().collect();
            check_no_panic(&s);
            count += 1;
        }
    }
    assert!(count >= 15_000);
}
