//! Compiles `proto/erasure/v1/*.proto` with a vendored `protoc`, so no system protobuf
//! compiler is needed. gRPC stubs are generated only with the `grpc` feature; serde
//! implementations in canonical proto3 JSON (pbjson) always.
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Read when the script runs (not baked in when it is compiled): a moved checkout, or
    // another one sharing the target directory, must find its own files.
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../proto");
    let files = ["common", "work", "events", "certificate", "api"]
        .map(|name| root.join(format!("erasure/v1/{name}.proto")));
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    let grpc = std::env::var_os("CARGO_FEATURE_GRPC").is_some();
    let out = PathBuf::from(std::env::var("OUT_DIR")?);

    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);
    tonic_prost_build::configure()
        .build_server(grpc)
        .build_client(grpc)
        .file_descriptor_set_path(out.join("erasure_descriptor.bin"))
        .compile_with_config(config, &files, &[root])?;
    // Canonical proto3 JSON (serde) for every message: the console's JSON gateway.
    let descriptors = std::fs::read(out.join("erasure_descriptor.bin"))?;
    pbjson_build::Builder::new()
        .register_descriptors(&descriptors)?
        .build(&[".erasure.v1"])?;
    Ok(())
}
