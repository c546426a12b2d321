//! Triage helper: prints `clean` of a file and of its own output, pass by pass.
//! `cargo run --example show_clean -- FILE`
fn main() {
    let path = std::env::args().nth(1).expect("usage: show_clean FILE");
    let data = std::fs::read(path).unwrap();
    let mut text = String::from_utf8_lossy(&data).into_owned();
    println!("input: {text:?}");
    for pass in 1..=4 {
        let article = newsprep::clean(&text);
        println!("\npass {pass}: {article:#?}");
        if article.text == text {
            println!("fixpoint");
            break;
        }
        text = article.text;
    }
}
