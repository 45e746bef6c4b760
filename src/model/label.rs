//! Buck target labels: `:name`, `//pkg:name`, `cell//pkg:name`, `@cell//pkg:name`,
//! `//pkg` (name = last path component), with an optional `[subtarget]`.

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    pub cell: String,
    pub package: String,
    pub name: String,
    pub subtarget: Option<String>,
}

impl Label {
    /// Parse `s` relative to the package it is written in. Returns `None` for strings that
    /// are not labels (plain crate names, paths, macros).
    pub fn parse(s: &str, cur_cell: &str, cur_pkg: &str) -> Option<Label> {
        let s = s.trim();
        let (s, subtarget) = match s.find('[') {
            Some(i) if s.ends_with(']') => (&s[..i], Some(s[i + 1..s.len() - 1].to_string())),
            Some(_) => return None,
            None => (s, None),
        };
        if let Some(name) = s.strip_prefix(':') {
            if name.is_empty() || name.contains([':', '/']) {
                return None;
            }
            return Some(Label {
                cell: cur_cell.to_string(),
                package: cur_pkg.to_string(),
                name: name.to_string(),
                subtarget,
            });
        }
        let s = s.strip_prefix('@').unwrap_or(s);
        let (cell, rest) = s.split_once("//")?;
        if cell.contains(['/', ':', ' ', '$', '(']) {
            return None;
        }
        let cell = if cell.is_empty() { cur_cell } else { cell };
        let (package, name) = match rest.split_once(':') {
            Some((p, n)) => (p.to_string(), n.to_string()),
            None => {
                let last = rest.rsplit('/').next().unwrap_or(rest);
                (rest.to_string(), last.to_string())
            }
        };
        if name.is_empty() || name.contains(':') {
            return None;
        }
        Some(Label { cell: cell.to_string(), package: package.trim_end_matches('/').to_string(), name, subtarget })
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}//{}:{}", self.cell, self.package, self.name)?;
        if let Some(s) = &self.subtarget {
            write!(f, "[{s}]")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let l = Label::parse(":foo-1.0[out_dir]", "root", "third_party").unwrap();
        assert_eq!((l.cell.as_str(), l.package.as_str(), l.name.as_str()), ("root", "third_party", "foo-1.0"));
        assert_eq!(l.subtarget.as_deref(), Some("out_dir"));
        let l = Label::parse("//third_party:pyo3", "root", "app").unwrap();
        assert_eq!(l.package, "third_party");
        let l = Label::parse("toolchains//:cpython", "root", "app").unwrap();
        assert_eq!((l.cell.as_str(), l.package.as_str(), l.name.as_str()), ("toolchains", "", "cpython"));
        let l = Label::parse("@prelude//os:linux", "root", "").unwrap();
        assert_eq!(l.cell, "prelude");
        let l = Label::parse("//a/b", "root", "").unwrap();
        assert_eq!((l.package.as_str(), l.name.as_str()), ("a/b", "b"));
        assert!(Label::parse("zstd", "root", "").is_none());
        assert!(Label::parse("$(location :x)", "root", "").is_none());
    }
}
