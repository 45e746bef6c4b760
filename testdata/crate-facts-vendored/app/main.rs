fn main() {
    println!("{}", asset_pack::ASSETS.len());
}
