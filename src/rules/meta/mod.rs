//! Meta rules: about buck-lint's own input, its failures and its comments. The engine emits
//! them (a file that does not parse or cannot be read, a crash caught in a rule, a
//! suppression comment that suppresses nothing), so their checks have no work of their own.
pub mod internal_error;
pub mod io_error;
pub mod syntax_error;
pub mod unused_suppression;
