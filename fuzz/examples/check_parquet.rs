//! Triage helper: reads a Parquet file with the arrow reader and validates every batch.
//! `cargo run --features corpus --example check_parquet -- FILE`
fn main() {
    let path = std::env::args().nth(1).expect("usage: check_parquet FILE");
    let file = std::fs::File::open(path).unwrap();
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    for batch in reader {
        match batch {
            Ok(b) => {
                for (i, col) in b.columns().iter().enumerate() {
                    println!(
                        "column {i}: {:?} -> {:?}",
                        col.data_type(),
                        col.to_data().validate_full()
                    );
                }
            }
            Err(e) => println!("error: {e}"),
        }
    }
}
