//! Declarations only: since 0.2 the library is loaded at run time and there is no build script.
pub type Handle = *mut core::ffi::c_void;
