import CFuzzerDriver
import FeedsFuzzing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which readers this process fuzzes: `LABOURMATCH_FUZZ_TARGET` (all, csv, ndjson, policy), read once.
let family: FuzzHarness.Family = getenv("LABOURMATCH_FUZZ_TARGET")
    .flatMap { FuzzHarness.Family(rawValue: String(cString: $0)) } ?? .all

/// One input through `FuzzHarness`; a broken invariant is a crash, for libFuzzer to keep.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let report = FuzzHarness.run(bytes, family: family)
    if !report.problems.isEmpty {
        fatalError("\(report.target.name), chunk \(report.chunkSize): \(report.problems.joined(separator: "; "))")
    }
    return 0
}

/// The process's entry, as SwiftPM links it: libFuzzer's driver with the callback above.
@_cdecl("FeedsFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}
