fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "etcd/mvccpb/kv.proto",
        "etcd/authpb/auth.proto",
        "etcd/etcdserverpb/rpc.proto",
        "raftstore/peer.proto",
        "raftstore/internal.proto",
    ];
    for f in files {
        println!("cargo:rerun-if-changed={f}");
    }
    tonic_prost_build::configure().compile_protos(&files, &["etcd", "raftstore"])?;
    Ok(())
}
