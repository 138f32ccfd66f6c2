// swift-tools-version:6.0
// RLHF Lab: every stage of Reinforcement Learning from Human Feedback on tiny GPT-2 models.
//
// Layers, lowest first (a lower layer never imports a higher one):
//   VectorExp -> exp, eight floats at a time (the one kernel compiled for AVX2 and FMA)
//   Numerics  -> tensors, BLAS, autograd, optimisers, random numbers
//   GPT2      -> the GPT-2 model, tokenizers, checkpoints, sampling
//   Stages    -> pre-training, SFT, sampling, preferences, reward model, policy optimisation
//   TinyWorld -> the lessons' tiny world: corpus, prompts, rule labeler
//   Lab       -> REPL, commands, rendering, lessons
//   Jupyter   -> the Jupyter kernel: connection file, signed wire messages, sockets, handlers
//   rlhf      -> the executable
import PackageDescription

// VectorExp, one file, is compiled for x86-64 CPUs with AVX2 and FMA (Intel since 2013, AMD
// since 2015): its eight-wide exp needs fused multiply-adds. Numerics asks the CPU before calling
// it (CCPUFeatures), so the package still runs on any x86-64 CPU.
#if arch(x86_64)
let vectorExpSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let vectorExpSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "RLHFLab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rlhf", targets: ["rlhf"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CLibEdit", path: "Sources/CLibEdit", pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]),
        .systemLibrary(
            name: "CZeroMQ", path: "Sources/CZeroMQ", pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(
            name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        .systemLibrary(name: "CCPUFeatures", path: "Sources/CCPUFeatures"),
        .target(name: "VectorExp", swiftSettings: vectorExpSettings),
        .target(name: "Numerics", dependencies: ["COpenBLAS", "CMalloc", "CCPUFeatures", "VectorExp"]),
        .target(name: "GPT2", dependencies: ["Numerics"]),
        .target(name: "Stages", dependencies: ["Numerics", "GPT2"]),
        .target(name: "TinyWorld", dependencies: ["Numerics", "GPT2", "Stages"]),
        .target(name: "Lab", dependencies: ["Numerics", "GPT2", "Stages", "TinyWorld", "CLibEdit"]),
        .target(name: "Jupyter", dependencies: ["Lab", "CZeroMQ", "COpenSSL"], resources: [.copy("Resources")]),
        .executableTarget(
            name: "rlhf",
            dependencies: ["Lab", "Jupyter", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GPT2Tests", dependencies: ["GPT2"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StagesTests", dependencies: ["Stages"]),
        .testTarget(name: "TinyWorldTests", dependencies: ["TinyWorld"]),
        .testTarget(name: "LabTests", dependencies: ["Lab"], exclude: ["Fixtures"]),  // read by path (#filePath)
        .testTarget(name: "BenchmarkTests", dependencies: ["Lab"]),
        .testTarget(name: "ReliabilityTests", dependencies: ["Lab", "GPT2", "Stages", "Jupyter"]),
        .testTarget(name: "JupyterTests", dependencies: ["Jupyter", "Lab", "CZeroMQ"]),

    ],
    swiftLanguageModes: [.v5]
)
