// swift-tools-version:6.0
// The libFuzzer target of LabourMatch's readers (README "Fuzzing"); built only by Scripts/fuzz.
//
// A package of its own, so that its flags stay out of the main build. SwiftPM
// links an executable's `main` to `<Module>_main`, which `-parse-as-library`
// never emits: FeedsFuzz defines `FeedsFuzz_main` itself and hands over to
// libFuzzer's `LLVMFuzzerRunDriver` (libFuzzer's own `main` is then not linked).
import PackageDescription

let package = Package(
    name: "LabourMatchFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "LabourMatch", path: ".."),
    ],
    targets: [
        // The declaration of libFuzzer's driver, which FeedsFuzz calls from its own entry point.
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "FeedsFuzz",
            dependencies: ["CFuzzerDriver", .product(name: "FeedsFuzzing", package: "LabourMatch")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
