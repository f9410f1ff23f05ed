/// The output files of MATCHING.md section 7, rendered from a result: pure
/// functions of it (no clock, host or path), LF line ends, ids unquoted.
public enum OutputFiles {
    /// `matches.csv`: `worker_id,vacancy_id,fit,worker_rank`, sorted by worker_id.
    public static func matchesCSV(_ result: MatchingResult) -> String {
        String(decoding: matchesCSVBytes(result), as: UTF8.self)
    }

    /// `candidates.csv`: the same columns for every candidate, sorted by worker_id, vacancy_id.
    public static func candidatesCSV(_ result: MatchingResult) -> String {
        String(decoding: candidatesCSVBytes(result), as: UTF8.self)
    }

    /// `exclusions.csv`: `subject,worker_id,vacancy_id,reason`, sorted by all four columns.
    public static func exclusionsCSV(_ result: MatchingResult) -> String {
        String(decoding: exclusionsCSVBytes(result), as: UTF8.self)
    }

    /// The bytes of `matches.csv` (what `matchesCSV` decodes): files of
    /// millions of rows are built without a String per field.
    public static func matchesCSVBytes(_ result: MatchingResult) -> [UInt8] {
        pairsCSV(result, result.matches)
    }

    /// The bytes of `candidates.csv`.
    public static func candidatesCSVBytes(_ result: MatchingResult) -> [UInt8] {
        pairsCSV(result, result.candidates)
    }

    /// The bytes of `exclusions.csv`.
    public static func exclusionsCSVBytes(_ result: MatchingResult) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(40 + result.exclusions.count * 48)
        out.append(contentsOf: "subject,worker_id,vacancy_id,reason\n".utf8)
        // `result.exclusions` is already in file order (`Exclusion.fileOrder`).
        for e in result.exclusions {
            out.append(contentsOf: e.subject.rawValue.utf8)
            out.append(comma)
            if let w = e.workerId { out.append(contentsOf: w.utf8) }
            out.append(comma)
            if let v = e.vacancyId { out.append(contentsOf: v.utf8) }
            out.append(comma)
            out.append(contentsOf: e.reason.utf8)
            out.append(newline)
        }
        return out
    }

    private static let comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")

    private static func pairsCSV(_ result: MatchingResult, _ rows: [Candidate]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(40 + rows.count * 40)
        out.append(contentsOf: "worker_id,vacancy_id,fit,worker_rank\n".utf8)
        // Rows are in index order, which is id byte order.
        for c in rows {
            out.append(contentsOf: result.workerIds[c.worker].utf8)
            out.append(comma)
            out.append(contentsOf: result.vacancyIds[c.vacancy].utf8)
            out.append(comma)
            appendFit(c.fitMicro, to: &out)
            out.append(comma)
            appendDecimal(c.workerRank, to: &out)
            out.append(newline)
        }
        return out
    }

    /// `FitScore.text(micro:)` as bytes: six decimals.
    static func appendFit(_ micro: Int, to out: inout [UInt8]) {
        if micro < 0 { out.append(UInt8(ascii: "-")) }
        let m = Int(micro.magnitude)
        appendDecimal(m / 1_000_000, to: &out)
        out.append(UInt8(ascii: "."))
        var frac = m % 1_000_000, digits = [UInt8](repeating: 48, count: 6)
        for i in stride(from: 5, through: 0, by: -1) {
            digits[i] = UInt8(48 + frac % 10)
            frac /= 10
        }
        out.append(contentsOf: digits)
    }

    /// A nonnegative integer in decimal.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 { out.append(UInt8(48 + value)); return }
        appendDecimal(value / 10, to: &out)
        out.append(UInt8(48 + value % 10))
    }

    /// `summary.json` with the spec's keys in its order, 2-space indentation,
    /// `exclusions` keys sorted by bytes and `warnings` always listing
    /// MIN_WAGE_UNKNOWN. The hashes are computed by the caller (Matching cannot hash).
    public static func summaryJSON(_ result: MatchingResult, policySHA256: String, inputSHA256: String) -> String {
        func object(_ entries: [(String, String)], indent: String) -> String {
            if entries.isEmpty { return "{}" }
            let inner = entries.map { "\(indent)  \(jsonString($0.0)): \($0.1)" }.joined(separator: ",\n")
            return "{\n\(inner)\n\(indent)}"
        }
        let exclusions = result.exclusionCounts.sorted { bytesLess($0.key, $1.key) }.map { ($0.key, "\($0.value)") }
        let lines = [
            "\"strategy\": \(jsonString(result.strategy.rawValue))",
            "\"run_date\": \(jsonString(result.runDate.description))",
            "\"policy_sha256\": \(jsonString(policySHA256))",
            "\"input_sha256\": \(jsonString(inputSHA256))",
            "\"who_list_edition\": \(jsonString(result.whoListEdition))",
            "\"counts\": \(object(result.counts.keyed, indent: "  "))",
            "\"fit_sum\": \(jsonString(FitScore.text(micro: result.fitSumMicro)))",
            "\"worker_rank_sum\": \(result.workerRankSum)",
            "\"exclusions\": \(object(exclusions, indent: "  "))",
            "\"warnings\": \(object([(minWageUnknownWarning, "\(result.minWageUnknown)")], indent: "  "))",
        ]
        return "{\n" + lines.map { "  " + $0 }.joined(separator: ",\n") + "\n}\n"
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
