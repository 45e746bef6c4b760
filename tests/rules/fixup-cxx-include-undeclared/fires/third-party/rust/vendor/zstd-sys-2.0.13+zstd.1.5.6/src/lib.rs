pub fn version() -> u32 { 0 }
