import COpenBLAS

/// OpenBLAS: the library that multiplies our matrices.
public enum BLAS {
    /// How many threads OpenBLAS uses for a product. Results are bit-identical from run to run
    /// for a fixed count, but 1 and 2 threads can differ in the last bits: lessons pin it.
    /// It starts at 1 in every process (OpenBLAS itself would start with one per core, or with
    /// OPENBLAS_NUM_THREADS), so a program or test that never sets it computes the same numbers.
    public static var threads: Int {
        get { _ = startsWithOneThread; return Int(openblas_get_num_threads()) }
        set { _ = startsWithOneThread; openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// Runs once, before the first product or thread setting of the process.
    private static let startsWithOneThread: Void = { openblas_set_num_threads(1) }()

    /// The CPU kernel OpenBLAS chose at run time, e.g. "Cooperlake".
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// OpenBLAS's build description, which begins with its version.
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// C[M, N] = alpha * op(A) op(B) + beta * C, all row-major, where op(A) is [M, K] and op(B)
    /// is [K, N]; `transposeA` means A is stored [K, M], `transposeB` that B is stored [N, K].
    /// The leading dimensions (the distance between rows) default to packed rows; a larger one
    /// multiplies a block of columns inside a wider matrix (e.g. one head's q in qkv [T, 3C]).
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil, b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        _ = startsWithOneThread
        let lda = lda ?? (transposeA ? m : k)
        let ldb = ldb ?? (transposeB ? k : n)
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc ?? n))
    }
}
