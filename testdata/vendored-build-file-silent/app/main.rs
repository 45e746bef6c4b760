fn main() {
    println!("{}", sorted_vector_map::len());
}
