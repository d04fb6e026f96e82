fn main() {
    println!("spheres");
}
