//! Interned identifiers. Attribute names, identifiers and attribute accesses (`cargo`,
//! `rust_library`, `deps`, …) repeat across thousands of build files; each distinct one is
//! stored once for the life of the process and referred to by a thin pointer, so the IR
//! holds 8 bytes instead of an allocated string per occurrence.
//!
//! Symbols are never freed: their number is bounded by the distinct identifiers of the
//! inputs (a long-running `buck-lint lsp` keeps the ones it has seen).

use std::cell::RefCell;
use std::sync::{LazyLock, Mutex};

use rustc_hash::FxHashMap;

/// An interned string; equality is pointer equality. `&Box<str>` on purpose: a thin
/// 8-byte pointer (`&str` is 16), which keeps `Option<Sym>` and the IR nodes small.
#[allow(clippy::borrowed_box)]
#[derive(Clone, Copy)]
pub struct Sym(&'static Box<str>);

static GLOBAL: LazyLock<Mutex<FxHashMap<&'static str, Sym>>> = LazyLock::new(Default::default);

thread_local! {
    static LOCAL: RefCell<FxHashMap<&'static str, Sym>> = RefCell::new(FxHashMap::default());
}

impl Sym {
    pub fn new(s: &str) -> Sym {
        if let Some(sym) = LOCAL.with(|l| l.borrow().get(s).copied()) {
            return sym;
        }
        let sym = {
            let mut g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
            match g.get(s) {
                Some(sym) => *sym,
                None => {
                    #[allow(clippy::borrowed_box)]
                    let leaked: &'static Box<str> = Box::leak(Box::new(Box::from(s)));
                    let sym = Sym(leaked);
                    g.insert(leaked, sym);
                    sym
                }
            }
        };
        LOCAL.with(|l| l.borrow_mut().insert(sym.as_str(), sym));
        sym
    }

    /// The symbol of `s` if it was ever interned, without interning it (for lookups: a string
    /// never interned cannot be a key).
    pub fn existing(s: &str) -> Option<Sym> {
        if let Some(sym) = LOCAL.with(|l| l.borrow().get(s).copied()) {
            return Some(sym);
        }
        let sym = GLOBAL.lock().unwrap_or_else(|e| e.into_inner()).get(s).copied()?;
        LOCAL.with(|l| l.borrow_mut().insert(sym.as_str(), sym));
        Some(sym)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::ops::Deref for Sym {
    type Target = str;
    fn deref(&self) -> &str {
        self.0
    }
}

impl PartialEq for Sym {
    fn eq(&self, other: &Sym) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}
impl Eq for Sym {}

impl PartialEq<str> for Sym {
    fn eq(&self, other: &str) -> bool {
        **self.0 == *other
    }
}
impl PartialEq<&str> for Sym {
    fn eq(&self, other: &&str) -> bool {
        **self.0 == **other
    }
}

/// Hashes the pointer: equal symbols are the same allocation.
impl std::hash::Hash for Sym {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        std::ptr::hash(self.0, h)
    }
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}
impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Sym;

    #[test]
    fn interning_is_shared_across_threads() {
        let a = Sym::new("rust_library");
        let b = std::thread::spawn(|| Sym::new("rust_library")).join().unwrap();
        assert!(a == b && std::ptr::eq(a.as_str(), b.as_str()));
        assert!(a != Sym::new("rust_binary"));
        assert_eq!(&*a, "rust_library");
        assert_eq!(std::mem::size_of::<Option<Sym>>(), 8);
        assert!(Sym::existing("rust_library") == Some(a));
        assert!(Sym::existing("never-interned-anywhere").is_none());
    }
}
