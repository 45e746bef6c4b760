//! Derive macros.
use proc_macro::TokenStream;

#[proc_macro_derive(Glue)]
pub fn derive_glue(_input: TokenStream) -> TokenStream {
    let _ = config_glue::schema_path();
    TokenStream::new()
}
