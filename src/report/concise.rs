//! `concise`: exactly one line per finding, `path:line:col: severity[rule-id] message`.

use std::io::Write;

use crate::diagnostic::{Diagnostic, one_line};
use crate::files::Files;

pub(super) fn write(out: &mut dyn Write, diags: &[Diagnostic], files: &Files) -> std::io::Result<()> {
    for d in diags {
        writeln!(out, "{}", line(d, files))?;
    }
    Ok(())
}

/// The concise line of one finding (no trailing newline).
pub(crate) fn line(d: &Diagnostic, files: &Files) -> String {
    let (start, _) = files.line_cols(d.primary);
    format!(
        "{}:{}:{}: {}[{}]: {}",
        one_line(files.display(d.primary.file)),
        start.line,
        start.column,
        d.severity.as_str(),
        d.rule,
        one_line(&d.message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::report::test_support::*;

    #[test]
    fn one_line_per_finding() {
        let fx = fixture();
        let mut diags = diagnostics(&fx);
        // A message that (against the contract) still contains newlines.
        diags[0].message = "first\nsecond\r\nthird".into();
        let mut out = Vec::new();
        write(&mut out, &diags, &fx.files).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(text.ends_with('\n'));
        assert_eq!(lines[0], "defs.bzl:3:26: warning[re-full-hybrid-racing]: first second third");
        // Column counts Unicode scalars: `rust_library(name = ` is 20 chars.
        assert_eq!(
            lines[1],
            "third_party/BUCK:2:21: error[pipelined-nondeterministic-crate]: café 0.1 compiles env!(\"OUT_DIR\") into the crate"
        );
    }

    #[test]
    fn info_severity() {
        let fx = fixture();
        let d = diagnostics(&fx).remove(0).with_severity(Severity::Info);
        assert!(line(&d, &fx.files).starts_with("defs.bzl:3:26: info[re-full-hybrid-racing]: "));
    }
}
