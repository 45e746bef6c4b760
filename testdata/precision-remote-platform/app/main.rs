fn main() -> anyhow::Result<()> {
    println!("{}", itoa::Buffer::new().format(42));
    Ok(())
}
