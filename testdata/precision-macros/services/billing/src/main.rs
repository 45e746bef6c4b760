fn main() { billing::charge() }
