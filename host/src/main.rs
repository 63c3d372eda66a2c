//! The `tollgate` binary: everything lives in the library; see [`tollgate::cli`].

/// mimalloc rather than the system allocator: a scan allocates and frees millions of
/// small values (parsed YAML, JSON texts, findings) from several threads, where glibc's
/// malloc spends a tenth of the run consolidating and unlinking chunks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // mimalloc asks for transparent huge pages, and the kernel then zeroes 2 MiB on the
    // first touch of each: a sixth of a large scan's CPU and a tenth of a pre-commit run
    // went to zeroing memory never used. Refused by old kernels, which is harmless.
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    tollgate::cli::main()
}
