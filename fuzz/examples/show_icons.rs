//! Triage helper: prints `strip_icons` of a file, applied again until it stops changing.
//! `cargo run --example show_icons -- FILE`
fn main() {
    let path = std::env::args().nth(1).expect("usage: show_icons FILE");
    let mut text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    println!("input:  {text:?}");
    for pass in 1..=8 {
        let out = newsprep::strip_icons(&text);
        println!("pass {pass}: {out:?}");
        if out == text {
            break;
        }
        text = out;
    }
}
