//! The `tollgate` binary: everything lives in the library; see [`tollgate::cli`].

/// mimalloc rather than the system allocator: a scan allocates and frees millions of
/// small values (parsed YAML, JSON texts, findings) from several threads, where glibc's
/// malloc spends a tenth of the run consolidating and unlinking chunks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    tollgate::cli::main()
}
