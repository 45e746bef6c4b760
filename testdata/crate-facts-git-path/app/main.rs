fn main() {
    println!("{} {}", git_baker::OUT, local_stamp::BY);
}
